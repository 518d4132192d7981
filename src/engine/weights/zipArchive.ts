import { inflateSync } from 'fflate';

/**
 * The entries of a zip archive (PyTorch's .pth files are one: data.pkl, data/0, data/1, …), read from
 * its central directory with every size checked against the file: an entry whose sizes, offsets or CRC
 * do not hold is refused by name, never read past the end. Stored and deflated entries; no zip64 (a
 * state_dict of under 4 GB never needs it), no encryption.
 */

const crcTable = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = crcTable[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export interface ZipEntry {
  name: string;
  /** The entry's content (a view into the file for stored entries). */
  read(): Uint8Array;
  size: number;
}

export function readZip(file: Uint8Array, what: string): Map<string, ZipEntry> {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const fail = (why: string) => new Error(`${what} is not a readable zip archive: ${why}.`);
  // The end-of-central-directory record: the last 22 bytes, or earlier when a comment follows it.
  let eocd = -1;
  for (let i = file.length - 22; i >= Math.max(0, file.length - 22 - 0xffff); i--)
    if (view.getUint32(i, true) === 0x06054b50) {
      eocd = i;
      break;
    }
  if (eocd < 0) throw fail('no end-of-central-directory record (truncated, or not a zip)');
  const count = view.getUint16(eocd + 10, true);
  const dirSize = view.getUint32(eocd + 12, true);
  const dirOffset = view.getUint32(eocd + 16, true);
  if (count === 0xffff || dirOffset === 0xffffffff) throw fail('a zip64 archive (not read)');
  if (dirOffset + dirSize > eocd) throw fail('its central directory lies outside the file');
  const entries = new Map<string, ZipEntry>();
  const decoder = new TextDecoder();
  let p = dirOffset;
  for (let e = 0; e < count; e++) {
    if (p + 46 > eocd || view.getUint32(p, true) !== 0x02014b50) throw fail(`central directory entry ${e} is damaged`);
    const flags = view.getUint16(p + 8, true);
    const method = view.getUint16(p + 10, true);
    const crc = view.getUint32(p + 16, true);
    const packed = view.getUint32(p + 20, true);
    const size = view.getUint32(p + 24, true);
    const nameLength = view.getUint16(p + 28, true);
    const extraLength = view.getUint16(p + 30, true);
    const commentLength = view.getUint16(p + 32, true);
    const local = view.getUint32(p + 42, true);
    const name = decoder.decode(file.subarray(p + 46, p + 46 + nameLength));
    p += 46 + nameLength + extraLength + commentLength;
    if (flags & 1) throw fail(`${name} is encrypted`);
    if (packed === 0xffffffff || size === 0xffffffff || local === 0xffffffff)
      throw fail(`${name} needs zip64 (not read)`);
    if (local + 30 > file.length || view.getUint32(local, true) !== 0x04034b50)
      throw fail(`${name}'s local header lies outside the file or is damaged`);
    const start = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
    if (start + packed > file.length)
      throw fail(
        `${name} claims ${packed.toLocaleString('en-US')} bytes at offset ${start}, past the file's end (${file.length.toLocaleString('en-US')} bytes)`,
      );
    if (method !== 0 && method !== 8) throw fail(`${name} uses compression method ${method}`);
    if (method === 0 && packed !== size)
      throw fail(`${name} is stored with two different sizes (${packed} and ${size})`);
    // Deflate expands at most about 1032:1: a larger claimed size is a lie, refused before it is allocated.
    if (method === 8 && size > packed * 1032 + 64)
      throw fail(
        `${name} claims ${size.toLocaleString('en-US')} bytes from ${packed.toLocaleString('en-US')} deflated ones, more than deflate can give`,
      );
    if (entries.has(name)) throw fail(`${name} appears twice`);
    entries.set(name, {
      name,
      size,
      read: () => {
        const raw = file.subarray(start, start + packed);
        const data = method === 0 ? raw : inflateSync(raw, { out: new Uint8Array(size) });
        if (data.length !== size) throw fail(`${name} holds ${data.length} bytes where its header says ${size}`);
        if (crc32(data) !== crc) throw fail(`${name} fails its CRC check (damaged)`);
        return data;
      },
    });
  }
  return entries;
}
