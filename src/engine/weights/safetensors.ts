import { DTYPE_BYTES, elementCount, type RawTensor } from './rawTensor';

/**
 * A safetensors file (Hugging Face's format: 8-byte little-endian header length, a JSON header, raw
 * little-endian data) with the reference parser's checks: a header of at most 100 MB that lies inside the
 * file, no name twice, each tensor's byte range exactly its shape × dtype, the ranges covering the data
 * without gap or overlap, nothing past the end.
 */

export const MAX_HEADER_BYTES = 100_000_000;

export function readSafetensors(file: Uint8Array, what = 'The weight file'): Map<string, RawTensor> {
  const fail = (why: string) => new Error(`${what} is not a valid safetensors file: ${why}.`);
  if (file.length < 8) throw fail('it is shorter than its 8-byte header length');
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const length = view.getBigUint64(0, true);
  if (length > BigInt(MAX_HEADER_BYTES))
    throw fail(
      `its header claims ${length.toLocaleString('en-US')} bytes (at most ${MAX_HEADER_BYTES.toLocaleString('en-US')})`,
    );
  const n = Number(length);
  if (8 + n > file.length) throw fail(`its header claims ${n.toLocaleString('en-US')} bytes, past the file's end`);
  const text = new TextDecoder('utf-8', { fatal: true }).decode(file.subarray(8, 8 + n));
  const duplicate = firstDuplicateKey(text);
  if (duplicate !== null) throw fail(`the tensor ${duplicate} is named twice`);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(text) as Record<string, unknown>;
  } catch (e) {
    throw fail(`its header is not JSON (${(e as Error).message})`);
  }
  if (!header || typeof header !== 'object' || Array.isArray(header)) throw fail('its header is not a JSON object');
  const data = file.subarray(8 + n);
  const entries: { name: string; dtype: string; shape: number[]; begin: number; end: number }[] = [];
  for (const [name, v] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const info = v as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const { dtype, shape, data_offsets: offsets } = info ?? {};
    if (typeof dtype !== 'string' || !(dtype in DTYPE_BYTES))
      throw fail(`${name} has the unknown dtype ${String(dtype)}`);
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0))
      throw fail(`${name}'s shape is not a list of sizes`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0))
      throw fail(`${name}'s data_offsets are not two byte offsets`);
    const [begin, end] = offsets as number[];
    if (end < begin) throw fail(`${name}'s data ends before it begins`);
    const bytes = elementCount(shape) * DTYPE_BYTES[dtype];
    if (end - begin !== bytes)
      throw fail(`${name} holds ${end - begin} bytes where its shape [${shape.join(', ')}] of ${dtype} needs ${bytes}`);
    entries.push({ name, dtype, shape: shape as number[], begin, end });
  }
  // Sorted by offset, the ranges must tile the data exactly: no overlap, no gap, nothing past the end.
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  for (const e of sorted) {
    if (e.begin < at) throw fail(`${e.name}'s bytes overlap another tensor's`);
    if (e.begin > at) throw fail(`the bytes before ${e.name} belong to no tensor`);
    at = e.end;
  }
  if (at > data.length)
    throw fail(
      `its tensors need ${at.toLocaleString('en-US')} bytes of data, the file holds ${data.length.toLocaleString('en-US')}`,
    );
  if (at < data.length)
    throw fail(`${(data.length - at).toLocaleString('en-US')} bytes at the end belong to no tensor`);
  return new Map(
    entries.map((e) => [e.name, { dtype: e.dtype, shape: e.shape, bytes: data.subarray(e.begin, e.end) }]),
  );
}

/** The first key that occurs twice at the top level of a JSON object text (JSON.parse keeps the last silently). */
function firstDuplicateKey(text: string): string | null {
  const seen = new Set<string>();
  let depth = 0;
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (depth === 1 && expectKey) {
        const key = JSON.parse(text.slice(i, j + 1)) as string;
        if (seen.has(key)) return key;
        seen.add(key);
        expectKey = false;
      }
      i = j;
    } else if (c === '{' || c === '[') {
      depth++;
      if (depth === 1 && c === '{') expectKey = true;
    } else if (c === '}' || c === ']') depth--;
    else if (c === ',' && depth === 1) expectKey = true;
  }
  return null;
}
