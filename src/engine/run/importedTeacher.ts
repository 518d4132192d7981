import type * as tf from '@tensorflow/tfjs';
import type { ExperimentConfig, LabEvent, ModelResult } from '../types';
import type { Evaluation } from './evaluation';

/** What measuring an imported teacher needs of the run's hooks (a part of ExperimentHooks). */
export interface TeacherLoading {
  loadTeacher?(key: string): Promise<tf.LayersModel>;
  emit(event: LabEvent): void;
}

/** Why a model cannot be this dataset's teacher (input or class count), or null. */
export function teacherMismatch(model: tf.LayersModel, size: number, classes: number): string | null {
  const input = model.inputs[0]?.shape ?? [];
  if (input.length !== 4 || input[1] !== size || input[2] !== size || input[3] !== 3)
    return `it reads ${JSON.stringify(input.slice(1))} images; the dataset has ${size}×${size}×3.`;
  const out = model.outputs[0]?.shape ?? [];
  if (out.length !== 2 || out[1] !== classes)
    return `its first output has ${String(out[1])} classes; the dataset has ${classes}.`;
  return null;
}

/** Measures a user's trained teacher instead of training one. */
export async function importedTeacher(
  config: ExperimentConfig,
  evaluation: Evaluation,
  hooks: TeacherLoading,
): Promise<{ model: tf.LayersModel; result: ModelResult }> {
  const imported = config.teacherImport!;
  if (!hooks.loadTeacher) throw new Error('This runner cannot load an imported teacher.');
  hooks.emit({ type: 'stage', message: `Measuring the imported teacher ${imported.name}` });
  const model = await hooks.loadTeacher(imported.key);
  const problem = teacherMismatch(model, evaluation.inputSize, evaluation.classes);
  if (problem) {
    model.dispose();
    throw new Error(`The imported teacher ${imported.name} does not fit this dataset: ${problem}`);
  }
  try {
    const result = await evaluation.evaluate(model, {
      role: 'teacher',
      label: `Teacher (${imported.name})`,
      model: imported.name,
      method: 'none',
      lambda: 0,
      valAccuracy: [await evaluation.valAccuracy(model)],
      curve: [],
      trainSeconds: 0,
    });
    return { model, result: { ...result, modelKey: imported.key } };
  } catch (e) {
    model.dispose(); // a model that cannot run on these images (a bad layer, a lost device) is not kept
    throw e;
  }
}
