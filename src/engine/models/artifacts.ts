import * as tf from '@tensorflow/tfjs';

/** A model's topology and weights in memory (tf.io's save, to nowhere). */
export async function modelArtifacts(model: tf.LayersModel): Promise<tf.io.ModelArtifacts> {
  let captured: tf.io.ModelArtifacts | null = null;
  await model.save(
    tf.io.withSaveHandler((a) => {
      captured = a;
      return Promise.resolve({ modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(a) });
    }),
  );
  return captured!;
}

/** Keeps a copy of the model that outlives it (and its backend); returns how to load it back. */
export async function keepInMemory(model: tf.LayersModel): Promise<() => Promise<tf.LayersModel>> {
  const artifacts = await modelArtifacts(model);
  return () => tf.loadLayersModel(tf.io.fromMemory(artifacts));
}
