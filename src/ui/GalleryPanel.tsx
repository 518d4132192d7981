import { useState } from 'react';
import { engineRequest, useLab } from '../store/labStore';
import type { Gallery } from '../worker/gallery';
import { PixelImage } from './PixelImage';

/**
 * Before training: the training images by class × group, with counts — the shortcut the models are
 * offered. A class drawn mostly from one group is where a small student may learn the group instead.
 */
export function GalleryPanel() {
  const config = useLab((s) => s.config);
  const status = useLab((s) => s.status);
  const [gallery, setGallery] = useState<Gallery | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const show = async () => {
    setBusy(true);
    setError(null);
    try {
      setGallery(await engineRequest<Gallery>({ kind: 'gallery', dataset: config.dataset, perCell: 4 }));
    } catch (e) {
      setGallery(null);
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="card" data-testid="gallery-panel">
      <div className="card-head">
        <h2>The training images by class and group</h2>
        <button
          type="button"
          className="secondary"
          onClick={() => void show()}
          disabled={busy || status !== 'idle'}
          data-testid="show-gallery"
        >
          {gallery ? 'Show again' : 'Show them'}
        </button>
      </div>
      <p className="muted">
        What the models will learn from, before any training: each class’s training images in each group, with their
        count. Where a class is drawn mostly from one group, the group is a shortcut to the class.
      </p>
      {error && (
        <p className="demo-error" role="alert">
          {error}
        </p>
      )}
      {gallery && (
        <div className="table-wrap" tabIndex={0}>
          <table className="training-gallery" data-testid="training-gallery">
            <thead>
              <tr>
                <th scope="col">Class</th>
                <th scope="col">{gallery.groupNames[0]}</th>
                <th scope="col">{gallery.groupNames[1]}</th>
              </tr>
            </thead>
            <tbody>
              {gallery.classNames.map((name, c) => {
                const cells = gallery.cells.filter((x) => x.classIndex === c);
                const total = cells.reduce((n, x) => n + x.count, 0);
                return (
                  <tr key={name}>
                    <th scope="row">{name}</th>
                    {cells.map((cell) => (
                      <td key={cell.group} data-testid="gallery-cell" data-count={cell.count}>
                        <div className="gallery-count">
                          {cell.count} ({total ? Math.round((100 * cell.count) / total) : 0}%)
                        </div>
                        <div className="gallery-samples">
                          {cell.samples.map((px, i) => (
                            <PixelImage key={i} pixels={px} size={gallery.size} />
                          ))}
                        </div>
                      </td>
                    ))}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
