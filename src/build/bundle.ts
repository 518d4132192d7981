/**
 * npm run bundle -- --out DIR: the headless runner as a folder that runs with nothing else installed
 * (no node_modules, no npm, no network) — for a GPU server, a container or a cluster node:
 *   DIR/lab …            the runner (npm run lab's flags); DIR/measure.sh [--smoke] [OUTDIR]: the GPU kit
 *   DIR/app/             lab.mjs and stepRates.mjs (esbuild, one ES module each: tfjs, the engine and the
 *                        AssemblyScript kernels inside), tfjs's wasm binaries beside them, and the few files
 *                        found by path at run time: the threaded wasm build's scripts, Dawn's addon (webgpu)
 *   DIR/runtime/         this machine's Node.js and Dawn's addon, compressed (DIR/lab unpacks them on first use, into DIR)
 *   DIR/lib/             the Vulkan loader (libvulkan.so.1), for servers that lack it
 *   DIR/python/          the PyTorch side of the GPU kit (bench/lab_models.py, torch_steps.py, reference_cnn.py)
 * Everything a run writes stays in DIR and the folders it is given (TMPDIR is DIR/tmp).
 */
import { sourceCommit } from '../cli/sourceCommit';
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  readdirSync,
  rmSync,
  statSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { createGzip } from 'node:zlib';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(import.meta.url);

/** At most this on disk before the first run unpacks Node (the limit; a test checks it). */
export const BUNDLE_LIMIT_BYTES = 60 * 1024 * 1024;

// ES modules have neither require nor __dirname; tfjs's Emscripten glue and the runner use both.
const BANNER = [
  "import { createRequire as __fdlRequire } from 'node:module';",
  "import { fileURLToPath as __fdlPath } from 'node:url';",
  "import { dirname as __fdlDir } from 'node:path';",
  'const require = __fdlRequire(import.meta.url);',
  'const __filename = __fdlPath(import.meta.url);',
  'const __dirname = __fdlDir(__filename);',
].join(' ');

function copy(from: string, to: string) {
  mkdirSync(dirname(to), { recursive: true });
  copyFileSync(from, to);
}

function folderBytes(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    n += e.isDirectory() ? folderBytes(p) : e.isFile() ? statSync(p).size : 0;
  }
  return n;
}

/** Where Debian (or another distribution) keeps the Vulkan loader, if this machine has it. */
function vulkanLoader(): string | null {
  try {
    const line = execFileSync('ldconfig', ['-p'], { encoding: 'utf8' })
      .split('\n')
      .find((l) => /libvulkan\.so\.1 .*x86-64|libvulkan\.so\.1 \(libc6,x86-64\)/.test(l));
    const path = line?.split('=>')[1]?.trim();
    return path && existsSync(path) ? path : null;
  } catch {
    return null;
  }
}

export async function buildBundle(out: string, log: (s: string) => void = () => {}): Promise<{ bytes: number }> {
  rmSync(out, { recursive: true, force: true });
  const app = join(out, 'app');
  mkdirSync(app, { recursive: true });
  await build({
    entryPoints: {
      lab: join(root, 'src/cli/lab.ts'),
      stepRates: join(root, 'bench/stepRates.ts'),
      summary: join(root, 'bench/gpuKitSummary.ts'),
    },
    outdir: app,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // Dawn's addon is found by path from its own package folder (below).
    external: ['webgpu'],
    banner: { js: BANNER },
    minify: true,
    legalComments: 'linked',
    logLevel: 'warning',
    // The bundle has no .git beside it: the commit it was built from is written in (see sourceCommit).
    define: { 'globalThis.FAIRDISTILL_BUNDLE_COMMIT': JSON.stringify(sourceCommit() ?? '') },
  });
  log('bundled lab.mjs, stepRates.mjs and summary.mjs');
  // tfjs-backend-wasm's glue looks for its binaries beside the script (__dirname).
  const wasmOut = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm.wasm'));
  for (const f of readdirSync(wasmOut).filter((f) => f.endsWith('.wasm'))) copy(join(wasmOut, f), join(app, f));
  // The threaded build's scripts, which src/cli/wasmThreadsNode.ts reads with require.resolve.
  const pkg = join(app, 'node_modules/@tensorflow/tfjs-backend-wasm');
  for (const f of ['tfjs-backend-wasm-threaded-simd.js', 'tfjs-backend-wasm-threaded-simd.worker.js'])
    copy(join(wasmOut, f), join(pkg, 'wasm-out', f));
  copy(join(wasmOut, '..', 'package.json'), join(pkg, 'package.json'));
  // libwebp's wasm decoder, which src/cli/webpDecoder.ts finds through the package's folder.
  const webp = dirname(require.resolve('@jsquash/webp/package.json'));
  for (const f of ['package.json', 'codec/dec/webp_dec.wasm'])
    copy(join(webp, f), join(app, 'node_modules/@jsquash/webp', f));
  // Dawn for Node: its index.js picks dist/<platform>-<arch>/dawn.node, which travels compressed
  // (21 MB → 7 MB) and DIR/lab unpacks beside Node.
  const webgpu = dirname(require.resolve('webgpu/package.json'));
  for (const f of ['index.js', 'package.json']) copy(join(webgpu, f), join(app, 'node_modules/webgpu', f));
  for (const f of ['lab_models.py', 'torch_steps.py', 'reference_cnn.py'])
    copy(join(root, 'bench', f), join(out, 'python', f));
  const loader = vulkanLoader();
  if (loader) copy(loader, join(out, 'lib', 'libvulkan.so.1'));
  else log('no Vulkan loader on this machine: the bundle relies on the server’s');
  for (const f of ['lab', 'measure.sh']) {
    copy(join(root, 'deploy/bundle', f), join(out, f));
    chmodSync(join(out, f), 0o755);
  }
  copy(join(root, 'deploy/bundle/README.txt'), join(out, 'README.txt'));
  mkdirSync(join(out, 'runtime'), { recursive: true });
  const gzip = (from: string, to: string) =>
    pipeline(createReadStream(from), createGzip({ level: 6 }), createWriteStream(join(out, 'runtime', to)));
  await Promise.all([
    gzip(process.execPath, 'node.gz'),
    gzip(join(webgpu, `dist/linux-${process.arch}/dawn.node`), 'dawn.node.gz'),
  ]);
  log(`Node.js ${process.version} and Dawn's addon compressed`);
  return { bytes: folderBytes(out) };
}

async function main() {
  const args = process.argv.slice(2);
  const i = args.indexOf('--out');
  if (i < 0 || !args[i + 1]) throw new Error('Usage: npm run bundle -- --out DIR');
  const out = resolve(args[i + 1]);
  const { bytes } = await buildBundle(out, (s) => console.error(s));
  const mib = (bytes / 2 ** 20).toFixed(1);
  if (bytes > BUNDLE_LIMIT_BYTES) throw new Error(`the bundle is ${mib} MiB, over its 60 MiB limit`);
  console.log(`${out}: ${mib} MiB. Run ${join(out, 'lab')} --help, or ${join(out, 'measure.sh')} [--smoke] [OUTDIR].`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url))
  main().catch((e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
