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

/** The most pixels a photo may have before it is decoded: JPEG's bound (jpeg-js, 1 GB of RGBA) here too. */
export const WEBP_MAX_PIXELS = 256 * 1024 * 1024;

/**
 * A WebP file's width and height from its first chunk's header, without decoding (null where the file
 * is too short or its first chunk is none of the three kinds): VP8X (extended) holds 24-bit width − 1
 * and height − 1 at 24 and 27; VP8L (lossless) 14-bit width − 1 and height − 1 packed from bit 0 at 21;
 * VP8 (lossy) 14-bit width and height at 26 and 28, after its key frame's start code.
 */
export function webpSize(file: Uint8Array): { width: number; height: number } | null {
  if (file.length < 30) return null;
  const kind = String.fromCharCode(...file.subarray(12, 16));
  const u16 = (at: number) => file[at] | (file[at + 1] << 8);
  const u24 = (at: number) => file[at] | (file[at + 1] << 8) | (file[at + 2] << 16);
  if (kind === 'VP8X') return { width: u24(24) + 1, height: u24(27) + 1 };
  if (kind === 'VP8L') {
    const bits = (file[21] | (file[22] << 8) | (file[23] << 16) | (file[24] << 24)) >>> 0;
    return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
  }
  if (kind === 'VP8 ') return { width: u16(26) & 0x3fff, height: u16(28) & 0x3fff };
  return null;
}

/** A WebP file's pixels as RGBA (libwebp's output; lossy files decode as libwebp — and Pillow — decode them). */
export async function decodeWebp(file: Uint8Array): Promise<{ width: number; height: number; data: Uint8Array }> {
  // Bounded before the decoder allocates: a header claiming a huge picture is refused by its size.
  const size = webpSize(file);
  if (size && size.width * size.height > WEBP_MAX_PIXELS)
    throw new Error(
      `it is ${size.width}×${size.height} pixels, more than the ${WEBP_MAX_PIXELS / 2 ** 20} M the lab decodes`,
    );
  await load();
  // A copy of its own: a Node Buffer's .buffer is often a shared pool holding other files' bytes.
  const img = await decode(new Uint8Array(file).buffer);
  return {
    width: img.width,
    height: img.height,
    data: new Uint8Array(img.data.buffer, img.data.byteOffset, img.data.byteLength),
  };
}
