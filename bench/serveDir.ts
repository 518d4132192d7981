import { existsSync, readFileSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Serves a built folder to a page straight from disk, cross-origin isolated; localhost keeps it a secure context. */
export async function serveDir(page: import('@playwright/test').Page, origin: string, root: string): Promise<void> {
  await page.route(`${origin}/**`, (route) => {
    let path = join(root, new URL(route.request().url()).pathname);
    if (path.endsWith('/')) path = join(path, 'index.html');
    if (!existsSync(path)) return route.fulfill({ status: 404, body: 'not found' });
    return route.fulfill({
      status: 200,
      body: readFileSync(path),
      headers: {
        'Content-Type': MIME[extname(path)] ?? 'application/octet-stream',
        'Cross-Origin-Opener-Policy': 'same-origin',
        'Cross-Origin-Embedder-Policy': 'require-corp',
      },
    });
  });
}

const MIME: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.wasm': 'application/wasm',
  '.css': 'text/css',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
};

/** The lab's app built into bench/out/app (the page the bench's browser runs open); its folder. */
export async function buildLabApp(): Promise<string> {
  const here = dirname(fileURLToPath(import.meta.url));
  const { build } = await import('vite');
  const appRoot = join(here, 'out', 'app');
  await build({
    configFile: join(here, '..', 'vite.config.ts'),
    logLevel: 'warn',
    build: { outDir: appRoot, emptyOutDir: true },
  });
  return appRoot;
}
