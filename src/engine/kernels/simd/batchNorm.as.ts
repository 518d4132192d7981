// AssemblyScript, compiled through kernels.as.ts (which says what every kernel may and may not
// do): batch normalisation's training passes over a [rows, C] activation (NHWC: rows = B·H·W), per
// channel. The sums run over a block of rows into block sums first, then into the totals, so a
// total of 65,536 rows adds a few hundred terms at a time (float32 keeps ~7 digits). Each call takes
// rows [r0, r1), and writes its sums into `parts`, a scratch area of its own of 4·C floats.
import { madd } from './convShared.as';

const BLOCK_ROWS: i32 = 128;

@inline
function zero(p: usize, floats: i32): void {
  memory.fill(p, 0, <usize>floats << 2);
}

/** totals[i] += block[i] for i < n, then block[i] = 0. */
@inline
function flush(totals: usize, block: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(totals + o, f32x4.add(v128.load(totals + o), v128.load(block + o)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(totals + o, load<f32>(totals + o) + load<f32>(block + o));
  }
  zero(block, n);
}

/**
 * parts[c] = Σ (x − m[c]), parts[C + c] = Σ (x − m[c])² over rows [r0, r1). With m = 0 the first is
 * the plain sum; with m the mean, the second over N is the variance and the first its correction.
 */
export function channelMoments(x: usize, m: usize, parts: usize, rows: i32, C: i32, r0: i32, r1: i32): void {
  const s = parts, q = parts + (<usize>C << 2), bs = parts + (<usize>(2 * C) << 2), bq = parts + (<usize>(3 * C) << 2);
  zero(parts, 4 * C);
  for (let b0 = r0; b0 < r1; b0 += BLOCK_ROWS) {
    const b1 = min(b0 + BLOCK_ROWS, r1);
    for (let r = b0; r < b1; r++) {
      const row = x + (<usize>(r * C) << 2);
      let c = 0;
      for (; c + 4 <= C; c += 4) {
        const o = <usize>c << 2;
        const d = f32x4.sub(v128.load(row + o), v128.load(m + o));
        v128.store(bs + o, f32x4.add(v128.load(bs + o), d));
        v128.store(bq + o, madd(d, d, v128.load(bq + o)));
      }
      for (; c < C; c++) {
        const o = <usize>c << 2;
        const d = load<f32>(row + o) - load<f32>(m + o);
        store<f32>(bs + o, load<f32>(bs + o) + d);
        store<f32>(bq + o, load<f32>(bq + o) + d * d);
      }
    }
    flush(s, bs, 2 * C);
  }
}

/** y = (x − m[c])·a[c] + b[c] over rows [r0, r1): the normalisation, scale and shift in one pass. */
export function channelAffine(
  x: usize, m: usize, a: usize, b: usize, y: usize, rows: i32, C: i32, r0: i32, r1: i32,
): void {
  for (let r = r0; r < r1; r++) {
    const row = <usize>(r * C) << 2;
    let c = 0;
    for (; c + 4 <= C; c += 4) {
      const o = <usize>c << 2;
      const d = f32x4.sub(v128.load(x + row + o), v128.load(m + o));
      v128.store(y + row + o, madd(d, v128.load(a + o), v128.load(b + o)));
    }
    for (; c < C; c++) {
      const o = <usize>c << 2;
      store<f32>(y + row + o, (load<f32>(x + row + o) - load<f32>(m + o)) * load<f32>(a + o) + load<f32>(b + o));
    }
  }
}

/** parts[c] = Σ dy, parts[C + c] = Σ dy·(x − m[c]) over rows [r0, r1): what every gradient of batch norm needs. */
export function batchNormGradSums(
  dy: usize, x: usize, m: usize, parts: usize, rows: i32, C: i32, r0: i32, r1: i32,
): void {
  const s = parts, bs = parts + (<usize>(2 * C) << 2), bq = parts + (<usize>(3 * C) << 2);
  zero(parts, 4 * C);
  for (let b0 = r0; b0 < r1; b0 += BLOCK_ROWS) {
    const b1 = min(b0 + BLOCK_ROWS, r1);
    for (let r = b0; r < b1; r++) {
      const row = <usize>(r * C) << 2;
      let c = 0;
      for (; c + 4 <= C; c += 4) {
        const o = <usize>c << 2;
        const g = v128.load(dy + row + o);
        const d = f32x4.sub(v128.load(x + row + o), v128.load(m + o));
        v128.store(bs + o, f32x4.add(v128.load(bs + o), g));
        v128.store(bq + o, madd(g, d, v128.load(bq + o)));
      }
      for (; c < C; c++) {
        const o = <usize>c << 2;
        const g = load<f32>(dy + row + o);
        store<f32>(bs + o, load<f32>(bs + o) + g);
        store<f32>(bq + o, load<f32>(bq + o) + g * (load<f32>(x + row + o) - load<f32>(m + o)));
      }
    }
    flush(s, bs, 2 * C);
  }
}

/** dx = k[c]·dy + q[c]·(x − m[c]) + d[c] over rows [r0, r1): the input gradient, its sums known. */
export function batchNormGradInput(
  dy: usize, x: usize, m: usize, k: usize, q: usize, d: usize, dx: usize, rows: i32, C: i32, r0: i32, r1: i32,
): void {
  for (let r = r0; r < r1; r++) {
    const row = <usize>(r * C) << 2;
    let c = 0;
    for (; c + 4 <= C; c += 4) {
      const o = <usize>c << 2;
      const centred = f32x4.sub(v128.load(x + row + o), v128.load(m + o));
      const t = madd(v128.load(q + o), centred, v128.load(d + o));
      v128.store(dx + row + o, madd(v128.load(k + o), v128.load(dy + row + o), t));
    }
    for (; c < C; c++) {
      const o = <usize>c << 2;
      const centred = load<f32>(x + row + o) - load<f32>(m + o);
      store<f32>(
        dx + row + o,
        load<f32>(k + o) * load<f32>(dy + row + o) + (load<f32>(q + o) * centred + load<f32>(d + o)),
      );
    }
  }
}
