import type { ModelSize } from '../types';

/** Parameter count and float32 bytes of a model's weights. */
export function modelSize(params: number): ModelSize {
  return { params, bytesFloat32: params * 4 };
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 ** 2).toFixed(2)} MiB`;
}
