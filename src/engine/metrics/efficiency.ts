import type { ModelSize } from '../types';

/** Parameter count and float32 bytes of a model's weights. */
export function modelSize(params: number): ModelSize {
  return { params, bytesFloat32: params * 4 };
}
