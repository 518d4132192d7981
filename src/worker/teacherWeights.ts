const DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, float16: 2 };

/**
 * A teacher's model.json names its weight files and the tensors in them: every file must be among
 * the chosen ones and their bytes must add up to what the tensors need (tf.io would otherwise build
 * the model from its topology alone, with random weights).
 */
export async function checkTeacherWeights(
  json: Blob & { name: string },
  weights: (Blob & { name: string })[],
): Promise<void> {
  let manifest: { paths?: unknown; weights?: { shape?: unknown; dtype?: unknown; quantization?: unknown }[] }[];
  try {
    manifest = (JSON.parse(await json.text()) as { weightsManifest?: typeof manifest }).weightsManifest ?? [];
  } catch (e) {
    throw new Error(`${json.name} is not a tfjs model.json (${(e as Error).message}).`, { cause: e });
  }
  if (!Array.isArray(manifest) || manifest.length === 0)
    throw new Error(`${json.name} lists no weights (no "weightsManifest"): a teacher needs its trained weights.`);
  const paths = manifest.flatMap((g) => (Array.isArray(g.paths) ? g.paths.map(String) : []));
  const byName = new Map(weights.map((f) => [f.name, f]));
  const missing = paths.filter((p) => !byName.has(p.split('/').pop()!));
  if (missing.length)
    throw new Error(
      `The weights file${missing.length > 1 ? 's' : ''} ${missing.join(', ')} of ${json.name} ${missing.length > 1 ? 'were' : 'was'} not chosen: pick model.json together with its .bin file${paths.length > 1 ? 's' : ''}.`,
    );
  let expected = 0;
  for (const g of manifest)
    for (const w of g.weights ?? []) {
      if (w.quantization) return; // quantized weights: their byte count depends on the scheme; tf.io checks them
      const shape = Array.isArray(w.shape) ? (w.shape as number[]) : [];
      expected +=
        shape.reduce((n, d) => n * d, 1) * (DTYPE_BYTES[typeof w.dtype === 'string' ? w.dtype : 'float32'] ?? 4);
    }
  const given = paths.reduce((n, p) => n + byName.get(p.split('/').pop()!)!.size, 0);
  if (given !== expected)
    throw new Error(
      `The weights of ${json.name} have ${given} bytes; its tensors need ${expected}. Choose the .bin file${paths.length > 1 ? 's' : ''} saved with this model.json.`,
    );
}
