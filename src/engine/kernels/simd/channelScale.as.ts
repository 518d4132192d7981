// AssemblyScript, compiled through kernels.as.ts (which says what every kernel may and may not
// do): squeeze-and-excitation's channel scaling, y[b, p, c] = x[b, p, c]·s[b, c] over the P = H·W
// pixels of each image (NHWC), and both its gradients in one pass. Each call takes images [b0, b1).
import { madd } from './convShared.as';

export function channelScale(x: usize, s: usize, y: usize, P: i32, C: i32, b0: i32, b1: i32): void {
  for (let b = b0; b < b1; b++) {
    const sb = s + (<usize>(b * C) << 2);
    for (let p = 0; p < P; p++) {
      const row = <usize>((b * P + p) * C) << 2;
      let c = 0;
      for (; c + 4 <= C; c += 4) {
        const o = <usize>c << 2;
        v128.store(y + row + o, f32x4.mul(v128.load(x + row + o), v128.load(sb + o)));
      }
      for (; c < C; c++) {
        const o = <usize>c << 2;
        store<f32>(y + row + o, load<f32>(x + row + o) * load<f32>(sb + o));
      }
    }
  }
}

/** dx = dy·s[b, c] and ds[b, c] = Σ_p dy·x, for images [b0, b1) (ds is written, not added to). */
export function channelScaleGrad(
  dy: usize, x: usize, s: usize, dx: usize, ds: usize, P: i32, C: i32, b0: i32, b1: i32,
): void {
  for (let b = b0; b < b1; b++) {
    const sb = s + (<usize>(b * C) << 2), db = ds + (<usize>(b * C) << 2);
    memory.fill(db, 0, <usize>C << 2);
    for (let p = 0; p < P; p++) {
      const row = <usize>((b * P + p) * C) << 2;
      let c = 0;
      for (; c + 4 <= C; c += 4) {
        const o = <usize>c << 2;
        const g = v128.load(dy + row + o);
        v128.store(dx + row + o, f32x4.mul(g, v128.load(sb + o)));
        v128.store(db + o, madd(g, v128.load(x + row + o), v128.load(db + o)));
      }
      for (; c < C; c++) {
        const o = <usize>c << 2;
        const g = load<f32>(dy + row + o);
        store<f32>(dx + row + o, g * load<f32>(sb + o));
        store<f32>(db + o, load<f32>(db + o) + g * load<f32>(x + row + o));
      }
    }
  }
}
