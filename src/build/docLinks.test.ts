import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';

/** Every relative link of the README and the pages under docs/ names a file or folder that is there. */
function markdownFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return f === 'lab-sweeps-state' ? [] : markdownFiles(p);
    return f.endsWith('.md') ? [p] : [];
  });
}

/** The targets of [text](target) links that are neither web addresses nor anchors in the same page. */
export function relativeLinks(text: string): string[] {
  const withoutCode = text.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
  return [...withoutCode.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)]
    .map((m) => m[1])
    .filter((t) => !/^([a-z]+:|#)/i.test(t))
    .map((t) => decodeURIComponent(t.split('#')[0]));
}

describe('links in the docs', () => {
  it('finds relative links and leaves web addresses, anchors and code alone', () => {
    expect(relativeLinks('[a](docs/x.md#part) [b](https://e.org) [c](#top) `[d](no.md)` [e](<img.png>)')).toEqual([
      'docs/x.md',
      '<img.png>',
    ]);
  });

  it('every relative link in README.md and docs/ resolves', () => {
    const broken: string[] = [];
    for (const file of ['README.md', ...markdownFiles('docs')])
      for (const target of relativeLinks(readFileSync(file, 'utf8')))
        if (!existsSync(join(dirname(file), target))) broken.push(`${file} → ${target}`);
    expect(broken).toEqual([]);
  });
});
