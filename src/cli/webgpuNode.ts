import { tmpdir } from 'node:os';

/**
 * Gives Node a `navigator.gpu` from Dawn (the npm package `webgpu`), so tfjs's WebGPU backend runs
 * in the headless runner: on a GPU server through the GPU's Vulkan driver, on a machine without one
 * through a software driver such as SwiftShader (VK_ICD_FILENAMES). Returns why it could not, or null.
 */
export async function provideNodeWebGPU(): Promise<string | null> {
  if ((globalThis.navigator as Navigator | undefined)?.gpu) return null;
  // Dawn's window-system probes complain on stderr without one; a headless run has no window anyway.
  process.env.XDG_RUNTIME_DIR ??= tmpdir();
  try {
    const { create, globals } = await import('webgpu');
    Object.assign(globalThis, globals);
    const gpu = create([]);
    // Node 21+ has a navigator without gpu; Node 20 has none.
    if (globalThis.navigator) Object.defineProperty(globalThis.navigator, 'gpu', { value: gpu, configurable: true });
    else Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
    return null;
  } catch (e) {
    return `Dawn for Node (the npm package webgpu) could not load: ${e instanceof Error ? e.message : String(e)}`;
  }
}
