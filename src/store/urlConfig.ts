import { isBackendName } from '../engine/types';
import { EXPERIMENT_PRESETS, methodChoice, type PresetName } from '../engine/presets';
import type { BackendName, ExperimentConfig, MethodId } from '../engine/types';

/**
 * The URL can force a backend and shape the first experiment, for tests and for sharing a setup:
 * ?backend=cpu&threads=2&preset=tiny&methods=kd,rkd&lambdas=0,0.5&teacherEpochs=1&studentEpochs=1&baseline=0&charts=0&optimizer=sgd&lr=0.1
 */
export interface UrlSetup {
  backend?: BackendName;
  preset: PresetName;
  config: ExperimentConfig;
  /** ?charts=0 hides the live loss chart (the bench measures what drawing it costs). */
  charts: boolean;
  /** ?threads=N: the wasm backend's threads (1–16), past tfjs's own choice of half the logical cores. */
  threads?: number;
}

export function configFor(preset: PresetName): ExperimentConfig {
  const base = structuredClone(EXPERIMENT_PRESETS[preset]);
  base.methods = base.methods.map((m) => methodChoice(preset, m.id, m.params));
  return base;
}

export function readUrlSetup(search: string): UrlSetup {
  const q = new URLSearchParams(search);
  const backend = q.get('backend');
  const presetParam = q.get('preset');
  const preset: PresetName = presetParam === 'tiny' || presetParam === 'lab' ? presetParam : 'lab';
  const config = configFor(preset);
  const methods = q.get('methods');
  if (methods)
    config.methods = methods
      .split(',')
      .filter(Boolean)
      .map((id) => methodChoice(preset, id as MethodId));
  const lambdas = q.get('lambdas');
  if (lambdas) {
    const values = lambdas
      .split(',')
      .map(Number)
      .filter((v) => Number.isFinite(v) && v >= 0);
    if (values.length) config.lambdas = values;
  }
  const int = (name: string) => {
    const v = Number(q.get(name));
    return Number.isInteger(v) && v > 0 ? v : undefined;
  };
  config.teacherEpochs = int('teacherEpochs') ?? config.teacherEpochs;
  config.studentEpochs = int('studentEpochs') ?? config.studentEpochs;
  if (q.get('baseline') === '0') config.baseline = false;
  if (q.get('optimizer') === 'sgd') config.optimizer = 'sgd';
  const lr = Number(q.get('lr'));
  if (q.get('lr') && Number.isFinite(lr) && lr > 0) config.learningRate = lr;
  const threads = Number(q.get('threads'));
  return {
    backend: isBackendName(backend) ? backend : undefined,
    preset,
    config,
    charts: q.get('charts') !== '0',
    ...(Number.isInteger(threads) && threads >= 1 && threads <= 16 ? { threads } : {}),
  };
}
