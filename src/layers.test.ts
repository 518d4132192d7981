import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The layer rules of DESIGN (docs/ARCHITECTURE.md): each folder of src/ may import only what sits
 * below it. Type-only imports are erased and allowed across layers; value imports are checked.
 */
const src = dirname(fileURLToPath(import.meta.url));
const IMPORT = /^\s*(?:import|export)\s+(type\s+)?(?:[^'"]*?\sfrom\s+)?['"]([^'"]+)['"]/gm;

interface Import {
  file: string;
  /** A package name, or a path relative to src/ for the project's own modules. */
  target: string;
  names: string;
  typeOnly: boolean;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name) ? [path] : [];
  });
}

function importsOf(file: string): Import[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(IMPORT)].map((m) => {
    const spec = m[2];
    const target = spec.startsWith('.') ? relative(src, resolve(dirname(file), spec)).replace(/\.tsx?$/, '') : spec;
    return { file: relative(src, file), target, names: m[0], typeOnly: Boolean(m[1]) };
  });
}

const layerOf = (path: string) => path.split('/')[0];
const all = sourceFiles(src).flatMap(importsOf);
const inLayer = (layer: string) => all.filter((i) => layerOf(i.file) === layer && !i.typeOnly);
const show = (list: Import[]) => list.map((i) => `${i.file} → ${i.target}`);

/** Engine modules that are plain data and pure functions (no tfjs): what the page may use. */
const ENGINE_DATA_ONLY = [
  'engine/types',
  'engine/distill/catalog',
  'engine/presets',
  'engine/options',
  'engine/plan',
  'engine/models/architectures',
  'engine/models/keys',
  'engine/data/synthetic',
  'engine/data/pixelChunks',
  'engine/studyProtocol',
  'engine/data/key',
  'engine/metrics/fairness',
  'engine/metrics/classification',
  'engine/metrics/recommendation',
  'engine/metrics/noiseFloor',
  'engine/metrics/pairedBootstrap',
  'engine/metrics/comparisons',
  'engine/metrics/tInterval',
];

/** A value import the UI may not make. */
const uiBreach = (i: Import) =>
  i.target.startsWith('@tensorflow/') ||
  i.target === 'idb' ||
  ['storage', 'worker'].includes(layerOf(i.target)) ||
  (layerOf(i.target) === 'engine' && !ENGINE_DATA_ONLY.includes(i.target));

describe('layers', () => {
  it('reads every layer (the walk itself works)', () => {
    for (const layer of ['engine', 'storage', 'worker', 'store', 'ui', 'analysis', 'cli', 'build'])
      expect(all.some((i) => layerOf(i.file) === layer)).toBe(true);
  });

  it('the engine imports tfjs, fflate and itself only: no DOM, React, storage, Node or build code', () => {
    const engine = sourceFiles(join(src, 'engine')).filter((f) => !f.includes('/testing/'));
    // fflate: pure JavaScript that runs alike in a worker, Node and vitest (the .pth reader's inflate).
    const bad = engine.flatMap(importsOf).filter((i) => {
      if (i.typeOnly) return false;
      if (i.target.startsWith('engine/')) return false;
      return !i.target.startsWith('@tensorflow/') && i.target !== 'fflate';
    });
    expect(show(bad)).toEqual([]);
    const dom = engine.filter((f) => /\b(document|window|localStorage)\.\w/.test(readFileSync(f, 'utf8')));
    expect(dom.map((f) => relative(src, f))).toEqual([]);
  });

  it('the UI never imports tfjs, storage or the worker, and only the data-only engine modules', () => {
    expect(show(inLayer('ui').filter(uiBreach))).toEqual([]);
  });

  it('storage imports idb and engine types only (no run logic)', () => {
    const bad = inLayer('storage').filter(
      (i) => !(i.target === 'idb' || layerOf(i.target) === 'storage' || i.target === 'engine/types'),
    );
    expect(show(bad)).toEqual([]);
  });

  it('the page only reads storage: the store imports no write from it (the worker is the one writer)', () => {
    const writes = inLayer('store').filter(
      (i) => layerOf(i.target) === 'storage' && /\b(put|delete|finish)\w*/.test(i.names.split('from')[0]),
    );
    expect(show(writes)).toEqual([]);
    const bad = inLayer('store').filter(
      (i) =>
        i.target.startsWith('@tensorflow/') ||
        layerOf(i.target) === 'ui' ||
        (layerOf(i.target) === 'engine' && !ENGINE_DATA_ONLY.includes(i.target)),
    );
    expect(show(bad)).toEqual([]);
  });

  it('analysis is pure: engine data and metrics, no tfjs, storage, worker or UI', () => {
    const bad = inLayer('analysis').filter(
      (i) =>
        !(layerOf(i.target) === 'analysis' || ENGINE_DATA_ONLY.includes(i.target)) ||
        i.target.startsWith('@tensorflow/'),
    );
    expect(show(bad)).toEqual([]);
  });

  it('the worker runs the engine and writes storage, and knows nothing of the page', () => {
    const bad = inLayer('worker').filter((i) => ['ui', 'store', 'cli', 'analysis'].includes(layerOf(i.target)));
    expect(show(bad)).toEqual([]);
  });

  it('the UI rule catches a breach and lets the allowed imports through', () => {
    const fake = (target: string): Import => ({ file: 'ui/X.tsx', target, names: '', typeOnly: false });
    for (const t of ['storage/runs', 'worker/client', '@tensorflow/tfjs', 'engine/run/experiment', 'engine/backend'])
      expect(uiBreach(fake(t))).toBe(true);
    for (const t of ['engine/types', 'engine/options', 'store/labStore', 'analysis/compare', 'react'])
      expect(uiBreach(fake(t))).toBe(false);
  });

  it('the engine’s import graph has no circle (type imports counted too)', () => {
    const engine = all.filter((i) => layerOf(i.file) === 'engine' && layerOf(i.target) === 'engine');
    const edges = new Map<string, string[]>();
    for (const i of engine) {
      const from = i.file.replace(/\.tsx?$/, '');
      // A folder import means its index module.
      const to = all.some((x) => x.file.replace(/\.tsx?$/, '') === i.target) ? i.target : `${i.target}/index`;
      edges.set(from, [...(edges.get(from) ?? []), to]);
    }
    expect(findCircle(edges)).toEqual([]);
    // The check finds a circle when there is one.
    expect(
      findCircle(
        new Map([
          ['a', ['b']],
          ['b', ['c']],
          ['c', ['a']],
        ]),
      ),
    ).toEqual(['a', 'b', 'c', 'a']);
  });
});

/** The first circle in a directed graph (its nodes, the first repeated at the end), or []. */
function findCircle(edges: Map<string, string[]>): string[] {
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (node: string): string[] => {
    state.set(node, 'open');
    path.push(node);
    for (const next of edges.get(node) ?? []) {
      if (state.get(next) === 'open') return [...path.slice(path.indexOf(next)), next];
      if (!state.has(next)) {
        const found = visit(next);
        if (found.length) return found;
      }
    }
    path.pop();
    state.set(node, 'done');
    return [];
  };
  for (const node of edges.keys()) {
    if (state.has(node)) continue;
    const found = visit(node);
    if (found.length) return found;
  }
  return [];
}
