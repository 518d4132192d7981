import { SPLIT, type DatasetConfig } from '../engine/types';
import { openLabDb } from '../storage/db';
import { loadDataset } from './datasetLoader';
import { BatchReader } from '../engine/data/batches';

/** The training images by class × group, with counts: the shortcut the models are offered, seen before training. */
export interface GalleryCell {
  classIndex: number;
  group: 0 | 1;
  /** Training examples of this class in this group. */
  count: number;
  /** A few of them, HWC RGB. */
  samples: Uint8Array[];
}

export interface Gallery {
  size: number;
  classNames: string[];
  groupNames: [string, string];
  cells: GalleryCell[];
}

export async function datasetGallery(config: DatasetConfig, perCell: number): Promise<Gallery> {
  const db = await openLabDb().catch(() => null);
  const { dataset: d } = await loadDataset(config, db);
  const cells: GalleryCell[] = d.classNames.flatMap((_, c) =>
    ([0, 1] as const).map((g) => ({ classIndex: c, group: g, count: 0, samples: [] as Uint8Array[] })),
  );
  const picked: { cell: GalleryCell; index: number }[] = [];
  for (let i = 0; i < d.count; i++) {
    const g = d.groups[i];
    if (d.split[i] !== SPLIT.train || (g !== 0 && g !== 1)) continue;
    const cell = cells[2 * d.labels[i] + g];
    cell.count++;
    if (cell.samples.length + picked.filter((p) => p.cell === cell).length < perCell) picked.push({ cell, index: i });
  }
  // The samples' pixels in one read (a dataset in chunks reads only the chunks they are in).
  const px = d.size * d.size * 3;
  const pixels = await new BatchReader(d).pixels(picked.map((p) => p.index));
  picked.forEach((p, j) => p.cell.samples.push(pixels.slice(j * px, (j + 1) * px)));
  return { size: d.size, classNames: d.classNames, groupNames: d.groupNames, cells };
}
