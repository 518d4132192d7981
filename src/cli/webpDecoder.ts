import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import decode, { init } from '@jsquash/webp/decode.js';

/**
 * WebP in Node: libwebp's decoder compiled to wasm (@jsquash/webp, Squoosh's build): maintained, 138 KB
 * of wasm and no native addon, so the self-contained bundle carries it as one file (src/build/bundle.ts
 * copies it to the same package path). Its glue would fetch the wasm beside its script, which a bundle
 * does not have, so the module is compiled here from the file found through the package's folder.
 */
let ready: Promise<void> | null = null;

function load(): Promise<void> {
  ready ??= (async () => {
    const pkg = dirname(createRequire(import.meta.url).resolve('@jsquash/webp/package.json'));
    const bytes = readFileSync(join(pkg, 'codec/dec/webp_dec.wasm'));
    // init's types name only its options form; its code also takes the compiled module first.
    await (init as (m: WebAssembly.Module) => Promise<void>)(new WebAssembly.Module(bytes));
  })();
  return ready;
}

/** RIFF....WEBP: the first twelve bytes of every WebP file. */
export function isWebp(file: Uint8Array): boolean {
  const tag = (at: number, s: string) => [...s].every((c, i) => file[at + i] === c.charCodeAt(0));
  return file.length >= 12 && tag(0, 'RIFF') && tag(8, 'WEBP');
}

/** A WebP file's pixels as RGBA (libwebp's output; lossy files decode as libwebp — and Pillow — decode them). */
export async function decodeWebp(file: Uint8Array): Promise<{ width: number; height: number; data: Uint8Array }> {
  await load();
  // A copy of its own: a Node Buffer's .buffer is often a shared pool holding other files' bytes.
  const img = await decode(new Uint8Array(file).buffer);
  return {
    width: img.width,
    height: img.height,
    data: new Uint8Array(img.data.buffer, img.data.byteOffset, img.data.byteLength),
  };
}
