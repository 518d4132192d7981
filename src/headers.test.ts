import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CSP } from '../vite.config';

/** The production headers file must say what the preview server and the page's meta tag say. */
describe('deployment headers', () => {
  it('public/_headers carries cross-origin isolation and the build’s Content-Security-Policy', () => {
    const text = readFileSync(new URL('../public/_headers', import.meta.url), 'utf8');
    expect(text).toContain('  Cross-Origin-Opener-Policy: same-origin\n');
    expect(text).toContain('  Cross-Origin-Embedder-Policy: require-corp\n');
    expect(text).toContain(`  Content-Security-Policy: ${CSP}\n`);
    expect(CSP).toContain("script-src 'self' 'wasm-unsafe-eval' blob:;");
    expect(CSP).not.toMatch(/'unsafe-eval'|script-src[^;]*'unsafe-inline'/);
  });
});
