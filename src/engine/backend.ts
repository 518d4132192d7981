import * as tf from '@tensorflow/tfjs';
import { registerBatchNormGrad } from './kernels/batchNormGrad';
import { registerConvGradKernels } from './kernels/convGradKernels';
import { fusedOpsActive, registerFusedKernels } from './kernels/fusedKernels';
import { simdKernelsName, startSimdThreads } from './kernels/convGradSimd';
import { registerPooledReductions } from './kernels/pooledReduce';
import { registerSimdConvForward } from './kernels/convForward';
import { registerSharedIdentity } from './kernels/sharedIdentity';
import { registerWebgpuConvGradKernels, webgpuKernelsName } from './kernels/webgpu/convGradWebgpu';
import { registerWebgpuAdam } from './kernels/webgpu/adamPrograms';
import { registerWebgpuFused } from './kernels/webgpu/fusedPrograms';
import { BACKEND_ORDER, type AdapterReport, type BackendName, type BackendReport } from './types';

export { isBackendName } from './types';

/**
 * Chooses the tfjs backend: WebGPU when an adapter exists, else WebGL, else WASM, else CPU.
 * WebGPU and WebGL are passed over on a software adapter or renderer (SwiftShader, llvmpipe)
 * unless forced: on a machine without a GPU the wasm backend with our gradient kernels trains
 * 50–60× faster than either (npm run bench). Works in a page, a dedicated worker and Node.
 */

export interface BackendOptions {
  forced?: BackendName;
  /** Where the wasm binaries are served from (the page's bundler decides); Node finds its own. */
  wasmPaths?: Record<string, string>;
  /** Threads for the wasm backend (needs cross-origin isolation in a browser). */
  wasmThreads?: number;
  /** Node only: readies tfjs's threaded wasm build (see wasmThreadsNode.ts); returns what undoes the set-up once started. */
  nodeWasmThreads?: (threads: number) => Promise<() => void>;
}

/**
 * wasm threads for a machine with this many logical cores: tfjs's own rule (half of them, two
 * hyperthreads per core), at most 4 (the lab's models gain little beyond), and none below 2. On this
 * project's 2-vCPU machine, 2 threads sped the lab step by 16–25% when it was idle but slowed it by a
 * quarter (and the tiny one by more than half) while another process used a core (npm run bench), so a
 * 2-core machine keeps one thread unless asked (?threads=2, --threads 2).
 */
export function defaultWasmThreads(logicalCores: number): number {
  const threads = Math.min(4, Math.floor(logicalCores / 2));
  return threads >= 2 ? threads : 1;
}

const SOFTWARE_RENDERER = /swiftshader|llvmpipe|softpipe|software|basic render/i;

/** The GL renderer behind tfjs's WebGL backend, when the browser reveals it. */
function webglRenderer(): string | null {
  try {
    const gl = (tf.backend() as unknown as { gpgpu?: { gl?: WebGLRenderingContext } }).gpgpu?.gl;
    if (!gl) return null;
    const ext = gl.getExtension('WEBGL_debug_renderer_info');
    return String(gl.getParameter(ext ? ext.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
  } catch {
    return null;
  }
}

/** What the adapter says of itself; `software` when it is a CPU fallback (SwiftShader and the like). */
export function describeAdapter(adapter: GPUAdapter): AdapterReport {
  const info = (adapter as GPUAdapter & { info?: GPUAdapterInfo & { isFallbackAdapter?: boolean } }).info;
  const report = {
    vendor: info?.vendor ?? '',
    architecture: info?.architecture ?? '',
    device: info?.device ?? '',
    description: info?.description ?? '',
  };
  const name = Object.values(report).filter(Boolean).join(' ');
  const fallback =
    info?.isFallbackAdapter || (adapter as GPUAdapter & { isFallbackAdapter?: boolean }).isFallbackAdapter;
  const limits = (adapter as Partial<GPUAdapter>).limits;
  return {
    ...report,
    software: Boolean(fallback) || SOFTWARE_RENDERER.test(name),
    ...(limits
      ? {
          limits: {
            maxBufferSize: limits.maxBufferSize,
            maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
          },
        }
      : {}),
  };
}

export function adapterName(a: AdapterReport): string {
  return [a.vendor, a.architecture, a.device, a.description].filter(Boolean).join(' ') || 'an unnamed adapter';
}

async function wasmThreadsCount(): Promise<number> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  return wasm.getThreadsCount();
}

/** wasm: XNNPACK's threads, and the SIMD kernels started on as many. */
async function wasmReport(): Promise<Pick<BackendReport, 'threads' | 'kernels' | 'kernelThreads'>> {
  const threads = await wasmThreadsCount();
  const kernelThreads = startSimdThreads(tf.backend(), threads);
  const kernels = simdKernelsName(tf.backend()) + (fusedOpsActive() ? '+fused' : '');
  return { threads, kernels, ...(kernelThreads ? { kernelThreads } : {}) };
}

const isNode = typeof process !== 'undefined' && !!process.versions?.node;

async function smokeTest(): Promise<void> {
  const t = tf.tidy(() => tf.add(tf.scalar(1), tf.scalar(2)));
  const v = (await t.data())[0];
  t.dispose();
  if (v !== 3) throw new Error(`a test op returned ${v}`);
}

/** Returns null when `name` is now the active backend, else the reason it could not be. */
async function tryBackend(
  name: BackendName,
  opts: BackendOptions,
  found: { adapter?: AdapterReport },
): Promise<string | null> {
  let afterStart: (() => void) | undefined;
  try {
    if (name === 'webgpu') {
      const gpu = (globalThis.navigator as Navigator | undefined)?.gpu;
      if (!gpu) return 'WebGPU is not available here (no navigator.gpu)';
      const adapter = await gpu.requestAdapter();
      if (!adapter) return 'WebGPU found no GPU adapter';
      found.adapter = describeAdapter(adapter);
      if (found.adapter.software && opts.forced !== 'webgpu')
        return `WebGPU runs on a software adapter (${adapterName(found.adapter)}), where WASM trains faster`;
      // The webgpu backend registers itself only when WebGPU exists at import time: import it now.
      await import('@tensorflow/tfjs-backend-webgpu');
      registerWebgpuConvGradKernels();
      registerWebgpuAdam();
      registerWebgpuFused();
    } else if (name === 'webgl') {
      if (isNode) return 'WebGL needs a browser';
      if (opts.forced === 'webgl') tf.env().set('SOFTWARE_WEBGL_ENABLED', true);
    } else if (name === 'wasm') {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      if (opts.wasmPaths) wasm.setWasmPaths(opts.wasmPaths);
      // Threads need a cross-origin isolated page (the caller passes wasmThreads only then) and a
      // bundle built with src/build/wasmThreadFactory; without them tfjs picks the single-threaded build.
      const threads =
        opts.wasmThreads && opts.wasmThreads > 1 && (!isNode || opts.nodeWasmThreads) ? opts.wasmThreads : 0;
      if (!threads) tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
      else if (isNode) afterStart = await opts.nodeWasmThreads!(threads);
      else wasm.setThreadsCount(threads);
      registerConvGradKernels('wasm');
      registerPooledReductions();
      registerSimdConvForward();
      registerSharedIdentity();
      registerFusedKernels();
    } else {
      registerConvGradKernels('cpu');
    }
    if (!tf.findBackendFactory(name)) return `the ${name} backend is not registered`;
    const ok = await tf.setBackend(name);
    if (!ok)
      return name === 'webgl'
        ? 'WebGL could not start (no context, or only a software renderer)'
        : `tf.setBackend('${name}') failed`;
    await tf.ready();
    if (name === 'webgl' && opts.forced !== 'webgl') {
      const renderer = webglRenderer();
      if (renderer && SOFTWARE_RENDERER.test(renderer))
        return `WebGL runs on a software renderer (${renderer}), where WASM trains faster`;
    }
    await smokeTest();
    return null;
  } catch (e) {
    return `${name} failed: ${e instanceof Error ? e.message : String(e)}`;
  } finally {
    afterStart?.();
  }
}

export async function selectBackend(opts: BackendOptions = {}): Promise<BackendReport> {
  registerBatchNormGrad();
  const fallbacks: string[] = [];
  // Node has WebGPU only where the caller gave it a navigator.gpu (the headless runner: Dawn).
  const nodeGpu = Boolean((globalThis.navigator as Navigator | undefined)?.gpu);
  let order: BackendName[] = isNode ? [...(nodeGpu ? ['webgpu' as const] : []), 'wasm', 'cpu'] : [...BACKEND_ORDER];
  if (opts.forced) order = [opts.forced, ...order.filter((b) => b !== opts.forced)];
  for (const name of order) {
    const found: { adapter?: AdapterReport } = {};
    const reason = await tryBackend(name, opts, found);
    if (reason === null)
      return {
        name,
        forced: opts.forced,
        fallbacks,
        ...(name === 'wasm' ? await wasmReport() : {}),
        ...(name === 'webgpu' && found.adapter ? { adapter: found.adapter } : {}),
        ...(name === 'webgpu' ? { kernels: webgpuKernelsName() } : {}),
      };
    fallbacks.push(reason);
  }
  throw new Error(`No tfjs backend could start: ${fallbacks.join('; ')}`);
}
