/**
 * WIDER Attribute annotations (../shared/WIDER.md) into labelled examples. Parsing only: the
 * worker decodes the images. Two modes:
 *   - image:  one example per photo; its group is the majority of the people whose Male attribute
 *             is specified (+1 male, −1 female; ties count as male, as in the study); a photo with
 *             no specified person keeps its class but has an unknown group (no fairness figure).
 *   - person: one example per person box, cropped; the box's own Male attribute gives the group,
 *             0 (unspecified) gives an unknown group.
 * Unlike the study's code, unspecified (0) is never counted as female.
 */

export const WIDER_SCENES = [
  'Parade',
  'Handshaking',
  'Riot',
  'Dancing',
  'Funeral',
  'Cheering',
  'Meeting',
  'Stock_Market',
  'Ceremony',
  'Concerts',
  'Couple',
  'Family_Group',
  'Picnic',
  'Soldier_Patrol',
  'Spa',
  'Sports_Fan',
  'Surgeons',
  'Waiter_Waitress',
  'Running',
  'Basketball',
  'Football',
  'Soccer',
  'Ice_Skating',
  'Row_Boat',
  'Aerobics',
  'Celebration_Or_Party',
  'Dresses',
  'Rescue',
  'Angler',
  'Hockey',
];

/** The study's 16 clusters, by scene name. */
export const WIDER_CLUSTERS: { name: string; scenes: string[] }[] = [
  { name: 'Team_Sports', scenes: ['Basketball', 'Football', 'Soccer', 'Hockey'] },
  { name: 'Celebration', scenes: ['Funeral', 'Ceremony', 'Celebration_Or_Party'] },
  { name: 'Parade', scenes: ['Parade'] },
  { name: 'Waiter_Or_Waitress', scenes: ['Waiter_Waitress'] },
  { name: 'Individual_Sports', scenes: ['Running', 'Ice_Skating', 'Aerobics'] },
  { name: 'Surgeons', scenes: ['Surgeons'] },
  { name: 'Spa', scenes: ['Spa'] },
  { name: 'Law_Enforcement', scenes: ['Riot', 'Soldier_Patrol'] },
  { name: 'Business', scenes: ['Handshaking', 'Meeting', 'Stock_Market'] },
  { name: 'Dresses', scenes: ['Dresses'] },
  { name: 'Water_Activities', scenes: ['Row_Boat', 'Angler'] },
  { name: 'Picnic', scenes: ['Picnic'] },
  { name: 'Rescue', scenes: ['Rescue'] },
  { name: 'Cheering', scenes: ['Cheering', 'Sports_Fan'] },
  { name: 'Performance_And_Entertainment', scenes: ['Dancing', 'Concerts'] },
  { name: 'Family', scenes: ['Couple', 'Family_Group'] },
];

export interface WiderOptions {
  mode: 'image' | 'person';
  /** 16 study clusters, or the 30 raw scenes. */
  classes: 'clusters' | 'scenes';
}

export interface WiderExample {
  /** Path inside the copy, e.g. Image/0--Parade/0_Parade_marchingband_1_12.jpg */
  path: string;
  classIndex: number;
  group: number;
  /** Person mode: [x, y, w, h] in pixels. */
  bbox?: [number, number, number, number];
  official: 'trainval' | 'test';
}

export interface WiderSkip {
  path: string;
  reason: string;
}

export interface WiderParse {
  classNames: string[];
  groupNames: [string, string];
  examples: WiderExample[];
  skipped: WiderSkip[];
}

interface RawTarget {
  attribute?: number[];
  bbox?: number[];
}
interface RawImage {
  file_name?: string;
  scene_id?: number;
  targets?: RawTarget[];
}

function sceneFolder(sceneId: number): string {
  return `Image/${sceneId}--${WIDER_SCENES[sceneId]}`;
}

/**
 * Parses one annotation file (trainval or test). `hasFile(path)` says whether the copy holds the
 * image; missing ones are skipped with the reason.
 */
export function parseWider(
  json: unknown,
  official: 'trainval' | 'test',
  opts: WiderOptions,
  hasFile?: (path: string) => boolean,
): WiderParse {
  const doc = json as { images?: RawImage[] };
  if (!doc || typeof doc !== 'object' || !Array.isArray(doc.images)) {
    throw new Error(
      'This is not a WIDER Attribute annotation file: it has no "images" list (expected wider_attribute_trainval.json or wider_attribute_test.json).',
    );
  }
  const classNames = opts.classes === 'clusters' ? WIDER_CLUSTERS.map((c) => c.name) : [...WIDER_SCENES];
  const sceneToClass = WIDER_SCENES.map((s, i) =>
    opts.classes === 'clusters' ? WIDER_CLUSTERS.findIndex((c) => c.scenes.includes(s)) : i,
  );
  const examples: WiderExample[] = [];
  const skipped: WiderSkip[] = [];
  doc.images.forEach((img, n) => {
    const scene = img.scene_id;
    const name = img.file_name ?? '';
    if (typeof scene !== 'number' || scene < 0 || scene >= WIDER_SCENES.length || !name) {
      skipped.push({ path: name || `image #${n + 1}`, reason: 'no valid scene_id or file_name in the annotation' });
      return;
    }
    const path = name.includes('/')
      ? name.startsWith('Image/')
        ? name
        : `Image/${name}`
      : `${sceneFolder(scene)}/${name}`;
    if (hasFile && !hasFile(path)) {
      skipped.push({ path, reason: 'missing file' });
      return;
    }
    const classIndex = sceneToClass[scene];
    const targets = Array.isArray(img.targets) ? img.targets : [];
    if (opts.mode === 'person') {
      targets.forEach((t, k) => {
        const b = t.bbox;
        if (!Array.isArray(b) || b.length !== 4 || !(b[2] > 0 && b[3] > 0)) {
          skipped.push({ path: `${path}#${k + 1}`, reason: 'person without a valid box' });
          return;
        }
        const male = t.attribute?.[0];
        examples.push({
          path,
          classIndex,
          group: male === 1 ? 0 : male === -1 ? 1 : -1,
          bbox: [b[0], b[1], b[2], b[3]],
          official,
        });
      });
      if (targets.length === 0) skipped.push({ path, reason: 'no annotated person' });
    } else {
      let males = 0,
        females = 0;
      for (const t of targets) {
        const male = t.attribute?.[0];
        if (male === 1) males++;
        else if (male === -1) females++;
      }
      const specified = males + females;
      examples.push({ path, classIndex, group: specified === 0 ? -1 : males / specified >= 0.5 ? 0 : 1, official });
    }
  });
  return { classNames, groupNames: ['male', 'female'], examples, skipped };
}
