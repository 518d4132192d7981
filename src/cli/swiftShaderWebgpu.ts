import { existsSync } from 'node:fs';
import { selectBackend } from '../engine/backend';
import type { BackendReport } from '../engine/types';
import { provideNodeWebGPU } from './webgpuNode';

/** Debian chromium's SwiftShader Vulkan driver: WebGPU in Node without a GPU. */
export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

/**
 * Starts tfjs's WebGPU backend in Node on Dawn over SwiftShader (a VK_ICD_FILENAMES already set wins),
 * with the lab's own WebGPU kernels registered as the runner has them — what the WebGPU kernel tests run
 * on. Throws, saying why, where it cannot.
 */
export async function startSwiftShaderWebgpu(): Promise<BackendReport> {
  process.env.VK_ICD_FILENAMES ??= SWIFTSHADER_ICD;
  if (!existsSync(SWIFTSHADER_ICD))
    throw new Error(`${SWIFTSHADER_ICD} is missing: Debian chromium ships the SwiftShader Vulkan driver`);
  const problem = await provideNodeWebGPU();
  if (problem) throw new Error(problem);
  const b = await selectBackend({ forced: 'webgpu' });
  if (b.name !== 'webgpu') throw new Error(`WebGPU did not start: ${b.fallbacks.join('; ')}`);
  return b;
}
