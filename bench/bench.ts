/**
 * npm run bench — training throughput of one distillation step (teacher forward + student
 * forward/backward with KD + adversary update) on the Node backends, measured side by side in one
 * run. Browser backends and the PyTorch anchor are not measured yet (see the README).
 *   npm run bench -- --presets tiny,lab --steps 3 --out bench/out/bench.json
 */
import * as tf from '@tensorflow/tfjs';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { selectBackend } from '../src/engine/backend';
import { classicKD } from '../src/engine/distill/kd';
import { withDefaults } from '../src/engine/distill/method';
import { adversaryInput, adversaryLoss, buildAdversary } from '../src/engine/models/adversary';
import { buildModel, forward, modelPreset, trainableVariables } from '../src/engine/models/efficientnet';
import { EXPERIMENT_PRESETS, type PresetName } from '../src/engine/presets';
import type { BackendName } from '../src/engine/types';

const args = process.argv.slice(2);
const arg = (name: string, fallback: string) => { const i = args.indexOf(`--${name}`); return i >= 0 ? args[i + 1] : fallback; };
const presets = arg('presets', 'tiny,lab').split(',') as PresetName[];
const steps = Number(arg('steps', '3'));
const out = arg('out', 'bench/out/bench.json');

interface Row { preset: string; backend: string; batch: number; imagesPerSecond: number; msPerStep: number; tensorsBefore: number; tensorsAfter: number }

async function measure(preset: PresetName, backend: BackendName): Promise<Row> {
  const cfg = EXPERIMENT_PRESETS[preset];
  const size = cfg.dataset.size;
  const classes = cfg.dataset.classes;
  const batch = cfg.batchSize;
  const before = tf.memory().numTensors;
  const teacher = buildModel(modelPreset(cfg.teacherModel), { inputSize: size, classes, seed: 1, name: 'teacher' });
  const student = buildModel(modelPreset(cfg.studentModel), { inputSize: size, classes, seed: 2, name: 'student' });
  const adversary = buildAdversary(classes, 32, false, 3);
  const opt = tf.train.adam(1e-3);
  const advOpt = tf.train.adam(1e-3);
  const x = tf.randomUniform([batch, size, size, 3], -1, 1, 'float32', 4) as tf.Tensor4D;
  const labels = tf.tensor1d(Array.from({ length: batch }, (_, i) => i % classes), 'int32');
  const oneHot = tf.tidy(() => tf.oneHot(labels, classes).toFloat() as tf.Tensor2D);
  const groups = tf.tensor1d(Array.from({ length: batch }, (_, i) => i % 2));
  const mask = tf.ones([batch]) as tf.Tensor1D;
  const params = withDefaults(classicKD);
  const vars = trainableVariables([student]);
  const advVars = trainableVariables([adversary]);
  const step = async () => {
    const t = tf.tidy(() => { const [logits, embedding] = forward(teacher, x, false); return { logits, embedding }; });
    let probs: tf.Tensor2D | undefined;
    const cost = opt.minimize(() => {
      const [logits, embedding] = forward(student, x, true);
      const kd = classicKD.loss({ studentLogits: logits, studentEmbedding: embedding, teacher: t, labels, oneHot, epoch: 1 }, params, undefined).total;
      const p = tf.softmax(logits) as tf.Tensor2D;
      probs = tf.keep(tf.clone(p));
      return tf.sub(kd, tf.mul(0.5, adversaryLoss(adversary.apply(adversaryInput(p, oneHot, false)) as tf.Tensor2D, groups, mask))) as tf.Scalar;
    }, true, vars)!;
    advOpt.minimize(() => adversaryLoss(adversary.apply(probs!) as tf.Tensor2D, groups, mask), false, advVars);
    await cost.data();
    tf.dispose([cost, probs!, t.logits, t.embedding]);
  };
  await step(); // warm-up
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) await step();
  const ms = (performance.now() - t0) / steps;
  tf.dispose([x, labels, oneHot, groups, mask]);
  teacher.dispose(); student.dispose(); adversary.dispose(); opt.dispose(); advOpt.dispose();
  return { preset, backend, batch, imagesPerSecond: (1000 * batch) / ms, msPerStep: ms, tensorsBefore: before, tensorsAfter: tf.memory().numTensors };
}

async function main() {
  const rows: Row[] = [];
  for (const backend of ['wasm', 'cpu'] as BackendName[]) {
    const report = await selectBackend({ forced: backend });
    if (report.name !== backend) { console.error(`skipping ${backend}: ${report.fallbacks.join('; ')}`); continue; }
    for (const preset of presets) {
      const row = await measure(preset, backend);
      rows.push(row);
      console.error(`${preset} on node-${backend}: ${row.imagesPerSecond.toFixed(1)} img/s`);
    }
  }
  const header = '| preset | backend | batch | images/s | ms/step | ratio to node-wasm | tensors before → after |';
  const lines = rows.map((r) => {
    const ref = rows.find((q) => q.preset === r.preset && q.backend === 'wasm');
    return `| ${r.preset} | node-${r.backend} | ${r.batch} | ${r.imagesPerSecond.toFixed(1)} | ${r.msPerStep.toFixed(0)} | ${ref ? (r.imagesPerSecond / ref.imagesPerSecond).toFixed(2) : '—'} | ${r.tensorsBefore} → ${r.tensorsAfter} |`;
  });
  console.log([header, '|---|---|---|---|---|---|---|', ...lines].join('\n'));
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify({ workload: 'teacher forward + student KD forward/backward + adversary update, one batch', steps, rows }, null, 2));
  console.error(`wrote ${out}`);
}

main().catch((e) => { console.error(e); process.exit(1); });
