/**
 * A tensor as a weight file holds it: name, element type, shape and its bytes (little-endian), not yet
 * converted. Readers (torch .pth, safetensors) return these; toFloat32 converts what a model needs.
 */
export interface RawTensor {
  dtype: string;
  shape: number[];
  bytes: Uint8Array;
}

/** Bytes per element of the types the readers know. */
export const DTYPE_BYTES: Record<string, number> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
};

export const elementCount = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** IEEE half to float32 (subnormals, infinities and NaN included). */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** The tensor's values as float32: F32, F16, BF16 and F64 are weights; any other type is refused by name. */
export function toFloat32(name: string, t: RawTensor): Float32Array {
  const n = elementCount(t.shape);
  const view = new DataView(t.bytes.buffer, t.bytes.byteOffset, t.bytes.byteLength);
  const out = new Float32Array(n);
  switch (t.dtype) {
    case 'F32':
      for (let i = 0; i < n; i++) out[i] = view.getFloat32(i * 4, true);
      return out;
    case 'F64':
      for (let i = 0; i < n; i++) out[i] = view.getFloat64(i * 8, true);
      return out;
    case 'F16':
      for (let i = 0; i < n; i++) out[i] = halfToFloat(view.getUint16(i * 2, true));
      return out;
    case 'BF16': {
      // bfloat16 is the upper half of a float32.
      const bits = new Uint32Array(out.buffer);
      for (let i = 0; i < n; i++) bits[i] = view.getUint16(i * 2, true) << 16;
      return out;
    }
    default:
      throw new Error(`${name} is stored as ${t.dtype}; weights are read from F32, F16, BF16 or F64 only.`);
  }
}
