import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerConvGradKernels } from './src/engine/kernels/convGradKernels';
import { MODEL_PRESETS, buildModel, forward } from './src/engine/models/efficientnet';
const be = process.argv[2] ?? 'cpu';
registerConvGradKernels(be as 'cpu');
await tf.setBackend(be);
for (const idx of [0,1,2,3]) {
const size = idx < 2 ? 16 : 32;
const m = buildModel(MODEL_PRESETS[idx], { inputSize: size, classes: 4, seed: 1, name: 'x'+idx });
const opt = tf.train.adam(1e-3);
const B = 64;
const x = tf.randomNormal([B,size,size,3]) as tf.Tensor4D; const y = tf.oneHot(tf.zeros([B],'int32') as tf.Tensor1D,4);
const step = () => { const l = opt.minimize(()=> { const [lg]=forward(m,x,true); return tf.losses.softmaxCrossEntropy(y,lg) as tf.Scalar;}, true)!; l.dataSync(); l.dispose(); };
step();
const t0 = performance.now(); for (let i=0;i<3;i++) step(); const dt=(performance.now()-t0)/3;
console.log(be, MODEL_PRESETS[idx].id, 'ms/step', dt.toFixed(0), 'img/s', (B/dt*1000).toFixed(1));
if (idx===0) { const prof = await tf.profile(step); const agg: Record<string, number> = {};
for (const k of prof.kernels) agg[k.name] = (agg[k.name]??0) + (k.kernelTimeMs as number);
console.log(Object.entries(agg).sort((a,b)=>b[1]-a[1]).slice(0,8).map(([k,v])=>k+':'+v.toFixed(0)).join(' ')); }
}
