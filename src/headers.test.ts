import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CSP, CSP_HEADER, SERVED_HEADERS } from '../vite.config';

/** The production headers file must say what the preview server and the page's meta tag say. */
describe('deployment headers', () => {
  it('public/_headers carries cross-origin isolation and the build’s Content-Security-Policy', () => {
    const text = readFileSync(new URL('../public/_headers', import.meta.url), 'utf8');
    for (const [name, value] of Object.entries(SERVED_HEADERS)) expect(text).toContain(`  ${name}: ${value}\n`);
    expect(text).toContain(`  Content-Security-Policy: ${CSP_HEADER}\n`);
    expect(CSP_HEADER).toBe(`${CSP}; frame-ancestors 'none'`);
    expect(SERVED_HEADERS['X-Content-Type-Options']).toBe('nosniff');
    expect(SERVED_HEADERS['Referrer-Policy']).toBe('no-referrer');
    expect(CSP).toContain("script-src 'self' 'wasm-unsafe-eval' blob:;");
    expect(CSP).not.toMatch(/'unsafe-eval'|script-src[^;]*'unsafe-inline'/);
  });
});
