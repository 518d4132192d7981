import type { ModelResult } from '../engine/types';
import type { PhotoVersion, Typicality } from '../worker/protocol';

/**
 * Two readings beside the answers: how familiar the photo is to the teacher (its confidence against its
 * confidences on the test images), and the table's flip rate of the plain student next to what the
 * photo's two cues did to that student — so one photo is not read as the whole table.
 */
export function PhotoReading({
  typical,
  versions,
  roles,
}: {
  typical: Typicality | string | null;
  versions: PhotoVersion[];
  roles: [string, ModelResult | undefined][];
}) {
  const shown = roles.filter(([, m]) => m);
  const plainAt = shown.findIndex(([role]) => role === 'plain');
  const plain = plainAt >= 0 ? shown[plainAt][1] : undefined;
  const flips = versions.length === 2 && plainAt >= 0;
  const flipped =
    flips && versions[0].predictions[plainAt].top[0].classIndex !== versions[1].predictions[plainAt].top[0].classIndex;
  const rate = plain?.fairness.counterfactualFlipRate;
  const pct = (v: number) => `${(100 * v).toFixed(0)}%`;
  return (
    <div className="photo-reading" data-testid="photo-reading">
      {typical === null ? (
        <p className="muted">Comparing the photo with the test images…</p>
      ) : typeof typical === 'string' ? (
        <p className="muted" data-testid="photo-typicality">
          {typical}
        </p>
      ) : (
        <p data-testid="photo-typicality" data-percentile={typical.percentile.toFixed(3)}>
          <strong>How familiar this photo is:</strong> on the photo as uploaded (no cue painted on, so the cards below,
          which carry one, read differently) the teacher gives its top class {pct(typical.confidence)};{' '}
          {pct(typical.percentile)} of the {typical.testImages} test images get a lower top-class confidence (their
          median: {pct(typical.testMedian)}).{' '}
          {typical.percentile < 0.05
            ? 'The teacher is less sure of this photo than of nearly every test image: it is unlike the images these models learned from, so read their answers as a resemblance at most.'
            : typical.percentile < 0.25
              ? 'The teacher is less sure of this photo than of most test images.'
              : 'The teacher is about as sure of this photo as of the test images.'}
        </p>
      )}
      {flips && rate != null && (
        <p data-testid="photo-flip">
          On the test images, changing only the group flips {pct(rate)} of the plain student’s predictions (the table’s
          flip rate); on this photo its top class {flipped ? 'changes' : 'stays the same'} between the two cues. One
          photo is one draw: the table is the measurement.
        </p>
      )}
    </div>
  );
}
