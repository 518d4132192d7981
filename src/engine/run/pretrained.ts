import type * as tf from '@tensorflow/tfjs';
import { torchKeysOf } from '../models/efficientnet';
import { modelPreset } from '../models/architectures';
import { loadStateDict } from '../weights/loadStateDict';
import type { RawTensor } from '../weights/rawTensor';
import type { ExperimentConfig } from '../types';

/** The tensors of the weight files a run starts from, by role (the runner reads files; the page, IndexedDB). */
export type PretrainedWeights = (role: 'teacher' | 'student') => Map<string, RawTensor> | undefined;

/**
 * Starts a freshly built model from its weight file when the config names one: every tensor but the
 * classifier, which is replaced by a new head for the dataset's classes when the file's has others (an
 * ImageNet head). Refused, naming the file, when the run was not given it or it does not fit.
 */
export function startFromWeights(
  model: tf.LayersModel,
  role: 'teacher' | 'student',
  config: ExperimentConfig,
  weights: PretrainedWeights | undefined,
): void {
  const file = config.pretrained?.[role];
  if (!file) return;
  const id = role === 'teacher' ? config.teacherModel : config.studentModel;
  const keys = torchKeysOf(model);
  if (!keys || !modelPreset(id).torchvision)
    throw new Error(
      `The ${role} (${id}) cannot start from ${file.name}: weight files fit efficientnet-b0 and efficientnet-b3.`,
    );
  const tensors = weights?.(role);
  if (!tensors) throw new Error(`The ${role} starts from ${file.name}, which this run was not given.`);
  loadStateDict(model, keys, tensors, { what: `The weight file ${file.name}`, modelName: id, head: 'replace' });
}
