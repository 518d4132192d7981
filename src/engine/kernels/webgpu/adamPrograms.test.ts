import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { startSwiftShaderWebgpu } from '../../../cli/swiftShaderWebgpu';
import { adam } from '../fusedAdam';
import { ADAM_VARIABLES_PER_DISPATCH } from './adamPrograms';
import { injectWebgpuGradFault, useWebgpuGradKernels } from './convGradWebgpu';
import { recordStep } from './webgpuWork';

/**
 * Adam on WebGPU, in place two variables a dispatch (or three programs for a variable whose buffer a
 * clone shares), against tfjs's own Adam on the same backend (Dawn over SwiftShader): five steps on
 * variables of the shapes a model has (a filter, a bias, a scalar-sized one), with the weights read
 * between steps, every weight and moment within float32 rounding of tfjs's (a GPU may fuse a
 * multiply-add, so not always bit for bit), its dispatches against tfjs's fourteen-odd a variable, and a program
 * made 0.1% wrong caught by the same check. Measured here: bit for bit (0 ulp) — SwiftShader does not
 * fuse the multiply-adds; a GPU driver may, hence the tolerance of a few ulp.
 */

const SHAPES = [[3, 3, 8, 16], [16], [1], [37, 5]];

/** Five Adam steps from fixed weights and gradients; the weights and moments after them. */
async function fiveSteps(make: () => tf.Optimizer): Promise<Float32Array[]> {
  const vars = SHAPES.map((s, i) =>
    tf.tidy(() => tf.variable(tf.randomUniform(s, -1, 1, 'float32', 11 + i), true, `w${i}`)),
  );
  const opt = make();
  let clone: tf.Tensor | null = null;
  for (let step = 0; step < 5; step++) {
    const grads: tf.NamedTensorMap = {};
    vars.forEach((v, i) => (grads[v.name] = tf.randomUniform(v.shape, -2, 2, 'float32', 100 * step + i)));
    // After step 2 every weight is read (tfjs keeps what it read on the CPU: an update in place must
    // not leave it stale), and during step 3 a clone shares the first weight's buffer (an update in
    // place would change the clone too: that variable takes the three programs that step).
    if (step === 2) await Promise.all(vars.map((v) => v.data()));
    const before = step === 3 ? Array.from(await vars[0].data()) : [];
    if (step === 3) clone = tf.clone(vars[0]);
    opt.applyGradients(grads);
    tf.dispose(Object.values(grads));
    if (step === 3) {
      expect(Array.from(await clone!.data())).toEqual(before);
      expect(Array.from(await vars[0].data())).not.toEqual(before);
      clone!.dispose();
    }
  }
  const weights = await opt.getWeights();
  const out = [
    ...(await Promise.all(vars.map((v) => v.data() as Promise<Float32Array>))),
    ...(await Promise.all(weights.slice(1).map((w) => w.tensor.data() as Promise<Float32Array>))),
  ];
  tf.dispose(weights.map((w) => w.tensor));
  opt.dispose();
  tf.dispose(vars);
  return out;
}

/** Worst difference in float32 units of the last place (of the larger magnitude), over all values. */
function worstUlps(a: Float32Array[], b: Float32Array[]): number {
  let worst = 0;
  a.forEach((x, i) =>
    x.forEach((v, j) => {
      const r = b[i][j];
      const ulp = Math.max(Math.abs(r), Math.abs(v), 1e-30) * 2 ** -23;
      worst = Math.max(worst, Math.abs(v - r) / ulp);
    }),
  );
  return worst;
}

describe('Adam on WebGPU (Dawn over SwiftShader)', () => {
  beforeAll(async () => {
    expect((await startSwiftShaderWebgpu()).name).toBe('webgpu');
  }, 300_000);

  it('five steps: every weight and moment within float32 rounding of tfjs’s Adam, updated in place two variables a dispatch', async () => {
    const before = tf.memory().numTensors;
    const theirs = await fiveSteps(() => tf.train.adam(0.01, 0.9, 0.999));
    useWebgpuGradKernels('own');
    const ours = await fiveSteps(() => adam(0.01));
    const ulps = worstUlps(ours, theirs);
    console.log(`WebGPU Adam vs tfjs's over 5 steps: worst ${ulps.toFixed(1)} ulp`);
    expect(ulps).toBeLessThanOrEqual(8);
    expect(ours.flat().length).toBe(theirs.flat().length);

    // Dispatches of one step: ours three a variable, tfjs's fourteen.
    const backend = tf.backend() as unknown as WebGPUBackend;
    const count = async (make: () => tf.Optimizer) => {
      const vars = SHAPES.map((s, i) => tf.tidy(() => tf.variable(tf.ones(s), true, `c${i}`)));
      const opt = make();
      const grads = () => Object.fromEntries(vars.map((v) => [v.name, tf.onesLike(v)]));
      const warm = grads();
      opt.applyGradients(warm);
      tf.dispose(Object.values(warm));
      const g = grads();
      const r = await recordStep(backend, async () => {
        opt.applyGradients(g);
        await vars[0].data();
      });
      tf.dispose(Object.values(g));
      opt.dispose();
      tf.dispose(vars);
      return r;
    };
    const own = await count(() => adam(0.01));
    useWebgpuGradKernels('tfjs');
    const tfjs = await count(() => adam(0.01));
    useWebgpuGradKernels('own');
    console.log(
      `one Adam step of ${SHAPES.length} variables: ${own.dispatches} dispatches (ours), ${tfjs.dispatches} (tfjs's)`,
    );
    // Two variables a dispatch, in place; the β powers' two scalar multiplies run on the GPU or, small
    // as they are, on tfjs's CPU forwarding.
    const groups = Math.ceil(SHAPES.length / ADAM_VARIABLES_PER_DISPATCH);
    expect(own.dispatches).toBeGreaterThanOrEqual(groups);
    expect(own.dispatches).toBeLessThanOrEqual(groups + 2);
    expect(own.byProgram.adamInPlace).toBe(groups);
    expect(tfjs.dispatches).toBeGreaterThan(3 * own.dispatches);
    expect(own.readbacks).toBe(1); // the test's own read; the step reads nothing back
    expect(tf.memory().numTensors).toBe(before);
  }, 300_000);

  it('a weight program made 0.1% wrong fails the same check', async () => {
    const theirs = await fiveSteps(() => tf.train.adam(0.01, 0.9, 0.999));
    injectWebgpuGradFault(1.001);
    try {
      expect(worstUlps(await fiveSteps(() => adam(0.01)), theirs)).toBeGreaterThan(1000);
    } finally {
      injectWebgpuGradFault(1);
    }
  }, 300_000);
});
