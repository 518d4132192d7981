import type { Dataset } from '../engine/types';
import type { StoredDataset } from '../storage/db';

/** ArrayBuffer holding exactly the view's bytes (a view may sit inside a larger buffer). */
function ownBuffer(v: ArrayBufferView): ArrayBuffer {
  return v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength) as ArrayBuffer;
}

/**
 * A dataset's IndexedDB record: its pixels in the record (the built-in data, small imports), or — with
 * `chunks` — in chunks of whole images under `chunkKey`, written before the record (an imported folder).
 * `bytes` counts the pixels and a byte each of label, group and split either way.
 */
export function toStored(d: Dataset, chunks?: { chunkKey: string; chunkImages: number[] }): StoredDataset {
  const inRecord = d.images instanceof Uint8Array ? d.images : null;
  if (!chunks && !inRecord) throw new Error(`toStored: ${d.name}'s pixels are in chunks; name them.`);
  const pixelBytes = chunks ? d.count * d.size * d.size * 3 : inRecord!.byteLength;
  return {
    key: d.key,
    name: d.name,
    config: d.config,
    size: d.size,
    count: d.count,
    classNames: d.classNames,
    groupNames: d.groupNames,
    images: chunks ? new ArrayBuffer(0) : ownBuffer(inRecord!),
    ...(chunks
      ? { chunks: chunks.chunkImages.length, chunkImages: chunks.chunkImages, chunkKey: chunks.chunkKey }
      : {}),
    labels: ownBuffer(d.labels),
    groups: ownBuffer(d.groups),
    split: ownBuffer(d.split),
    bytes: pixelBytes + d.labels.byteLength + d.groups.byteLength + d.split.byteLength,
    createdAt: new Date().toISOString(),
  };
}
