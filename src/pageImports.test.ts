import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The page's own bundle stays free of tfjs (the engine worker loads it): walks the static imports
 * from src/main.tsx — `import type` is erased, dynamic import() and the worker's URL are separate
 * chunks — and lists every package reached.
 */
const here = dirname(fileURLToPath(import.meta.url));
const IMPORT = /^\s*(?:import|export)\s+(?!type\b)(?:[^'"]*?\sfrom\s+)?['"]([^'"]+)['"]/gm;

function resolveLocal(from: string, spec: string): string | null {
  const base = resolve(dirname(from), spec);
  for (const candidate of [base, `${base}.ts`, `${base}.tsx`, join(base, 'index.ts')])
    if (existsSync(candidate) && candidate.match(/\.tsx?$/)) return candidate;
  return null;
}

function staticImports(entry: string): { files: Set<string>; packages: Map<string, string> } {
  const files = new Set<string>();
  const packages = new Map<string, string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    for (const m of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const spec = m[1];
      if (spec.startsWith('.')) {
        const f = resolveLocal(file, spec);
        if (f) visit(f);
      } else if (!packages.has(spec)) packages.set(spec, file.slice(here.length + 1));
    }
  };
  visit(entry);
  return { files, packages };
}

describe('page bundle', () => {
  it('no static import from the page reaches tfjs', () => {
    const { files, packages } = staticImports(join(here, 'main.tsx'));
    expect(files.size).toBeGreaterThan(20); // the walk really follows the UI
    expect(files.has(join(here, 'ui', 'SetupPanel.tsx'))).toBe(true);
    const tfjs = [...packages].filter(([p]) => p.startsWith('@tensorflow/')).map(([p, from]) => `${p} (from ${from})`);
    expect(tfjs).toEqual([]);
  });
});
