import { describe, expect, it } from 'vitest';
import { parseWider, WIDER_CLUSTERS, WIDER_SCENES } from './wider';

/** A handmade copy: 5 photos in the real layout, Male = attribute[0] (1 yes, −1 no, 0 unspecified). */
const person = (male: number, bbox: number[] = [1, 2, 10, 20]) => ({
  attribute: [male, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
  bbox,
});
const annotation = {
  images: [
    { file_name: '0_Parade_marchingband_1_12.jpg', scene_id: 0, targets: [person(1), person(1), person(-1)] }, // 2 of 3 male → male
    { file_name: '17_Waiter_Waitress_1.jpg', scene_id: 17, targets: [person(-1), person(0), person(0)] }, // only specified: female
    { file_name: '19_Basketball_2.jpg', scene_id: 19, targets: [person(0), person(0)] }, // nobody specified → unknown
    { file_name: '7_Stock_Market_3.jpg', scene_id: 7, targets: [person(1), person(-1, [0, 0, 0, 5])] }, // tie → male; bad box
    { file_name: '14_Spa_missing.jpg', scene_id: 14, targets: [person(-1)] }, // not in the copy
  ],
  attribute_id_map: { 0: 'Male' },
  scene_id_map: Object.fromEntries(WIDER_SCENES.map((s, i) => [i, s])),
};
const copy = new Set([
  'Image/0--Parade/0_Parade_marchingband_1_12.jpg',
  'Image/17--Waiter_Waitress/17_Waiter_Waitress_1.jpg',
  'Image/19--Basketball/19_Basketball_2.jpg',
  'Image/7--Stock_Market/7_Stock_Market_3.jpg',
]);
const has = (p: string) => copy.has(p);

describe('WIDER Attribute parsing', () => {
  it('maps the 30 scenes onto the study’s 16 clusters, each scene exactly once', () => {
    expect(WIDER_CLUSTERS).toHaveLength(16);
    expect(WIDER_CLUSTERS.flatMap((c) => c.scenes).sort()).toEqual([...WIDER_SCENES].sort());
  });

  it('whole-image mode: clusters, majority group of specified people, unknown when none is specified, missing files skipped', () => {
    const r = parseWider(annotation, 'trainval', { mode: 'image', classes: 'clusters' }, has);
    const cls = (name: string) => r.classNames.indexOf(name);
    expect(r.examples.map((e) => [e.path, e.classIndex, e.group, e.official])).toEqual([
      ['Image/0--Parade/0_Parade_marchingband_1_12.jpg', cls('Parade'), 0, 'trainval'],
      ['Image/17--Waiter_Waitress/17_Waiter_Waitress_1.jpg', cls('Waiter_Or_Waitress'), 1, 'trainval'],
      ['Image/19--Basketball/19_Basketball_2.jpg', cls('Team_Sports'), -1, 'trainval'],
      ['Image/7--Stock_Market/7_Stock_Market_3.jpg', cls('Business'), 0, 'trainval'],
    ]);
    expect(r.skipped).toEqual([{ path: 'Image/14--Spa/14_Spa_missing.jpg', reason: 'missing file' }]);
    expect(r.groupNames).toEqual(['male', 'female']);
  });

  it('person mode: one example per valid box with its own group; raw scenes as classes', () => {
    const r = parseWider(annotation, 'test', { mode: 'person', classes: 'scenes' }, has);
    expect(r.classNames).toHaveLength(30);
    expect(r.examples.map((e) => [e.classIndex, e.group])).toEqual([
      [0, 0],
      [0, 0],
      [0, 1], // parade: male, male, female
      [17, 1],
      [17, -1],
      [17, -1], // waiter: female, unspecified ×2
      [19, -1],
      [19, -1], // basketball: unspecified
      [7, 0], // stock market: the male; the female's box has zero width
    ]);
    expect(r.examples[0].bbox).toEqual([1, 2, 10, 20]);
    expect(r.skipped).toEqual([
      { path: 'Image/7--Stock_Market/7_Stock_Market_3.jpg#2', reason: 'person without a valid box' },
      { path: 'Image/14--Spa/14_Spa_missing.jpg', reason: 'missing file' },
    ]);
  });

  it('refuses a file that is not a WIDER annotation', () => {
    expect(() => parseWider({ foo: 1 }, 'trainval', { mode: 'image', classes: 'clusters' })).toThrow(
      /not a WIDER Attribute annotation/,
    );
  });
});
