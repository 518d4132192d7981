/**
 * Headless runner: the same engine as the page, in Node: on WebGPU where Dawn finds a GPU, else on
 * the wasm backend (cpu as fallback).
 *   npm run lab -- --preset tiny --methods kd,rkd --lambdas 0,0.5 --seeds 0,1,2 --out results.json
 * With --checkpoint FILE a killed run, started again with the same command, goes on from its last epoch.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeBackend, progressLines, startBackend } from './runnerBackend';
import { formatPrediction, predictCommand } from './predictCommand';
import { readPretrained } from './pretrainedFiles';
import {
  DATA_FLAGS,
  formatPrepareReport,
  loadRunnerData,
  plannedData,
  prepareCommand,
  sweepDataLoader,
} from './runnerData';
import type { Dataset } from '../engine/types';
import { useSimdKernels, type SimdChoice } from '../engine/kernels/convGradSimd';
import { useFusedOps } from '../engine/kernels/fusedKernels';
import { useWebgpuGradKernels } from '../engine/kernels/webgpu/convGradWebgpu';
import { isManifest, mergeSweepCommand, planCommand, shardCommand } from './sweepCommands';
import { readManifest } from './sweepManifest';
import { withStudyProtocol } from './studyProtocol';
import { checkBackends, parseChecked, type CheckedBackend } from './checkBackends';
import { generateSynthetic } from '../engine/data/synthetic';
import { applyOptions, isProblem, OPTIONS } from '../engine/options';
import { parseArgs, SWITCHES, USAGE } from './labArgs';
import { planSizeProblem, uniqueValues } from '../engine/plan';
import { checkOutputFile, checkOutputFolder } from './outputPaths';
import { writeAtomic } from './atomicFile';
import { CancelledError, runExperiment } from '../engine/run/experiment';
import { installStopSignals, StoppedBySignal, stopRequested } from './stopSignals';
import { finishedLabels, type ExperimentResult } from '../engine/types';
import { mergeFiles, type RunnerOutput } from './merge';
import { modelArtifacts } from '../engine/models/artifacts';
import {
  readCheckpoint,
  removeCheckpoint,
  resumeCurrent,
  writeCheckpoint,
  type RunnerCheckpoint,
} from './checkpointFile';
import { formatRecommendations, formatSummary, summarize } from '../analysis/summary';

function backendList(text: string): CheckedBackend[] {
  const names = text.split(',').map((x) => x.trim());
  const bad = names.filter((n) => !parseChecked(n));
  if (bad.length || names.length < 2)
    throw new Error(
      `--backends: "${text}" must name two or more of cpu, wasm, webgpu, webgpu:tfjs, webgpu:own (the first is the reference).`,
    );
  return names as CheckedBackend[];
}

/** --seeds: each a whole number as --seed takes it (0–2147483647, written plainly); a repeated seed is named and kept once. */
function seedList(text: string, note: (s: string) => void): number[] {
  const seed = OPTIONS.find((o) => o.name === 'seed')!;
  const items = text.split(',').map((x) => x.trim());
  const bad = items.filter((x) => isProblem(seed.parse(x)));
  if (!text.trim() || bad.length)
    throw new Error(
      `--seeds: "${text}" must be a comma-separated list of whole numbers from 0 to 2147483647${bad.length && text.trim() ? ` (not ${bad.map((b) => `"${b}"`).join(', ')})` : ''}.`,
    );
  const { values, repeated } = uniqueValues(items.map(Number));
  if (repeated.length) note(`--seeds listed ${repeated.join(', ')} more than once; each seed is trained once.`);
  return values;
}

async function main() {
  installStopSignals((s) => process.stderr.write(s));
  const given = parseArgs(process.argv.slice(2));
  const args = given.has('--study') ? withStudyProtocol(given) : given;
  if (args.has('--help')) {
    console.log(USAGE);
    return;
  }
  if (args.has('--predict')) {
    const known = new Set(['--predict', '--json', '--model', '--weights', '--image', '--backend', '--threads']);
    for (const flag of args.keys()) if (!known.has(flag)) throw new Error(`--predict does not take ${flag}.`);
    // --backend and --threads by the option table's rules, as for a run.
    const where = applyOptions(
      new Map([...args].filter(([flag]) => flag === '--backend' || flag === '--threads')),
      (o) => o.cliFlag,
      'tiny',
    );
    if (where.problems.length) throw new Error(where.problems.join(' ').replaceAll('; it was ignored.', '.'));
    await startBackend(where.setup.backend, where.setup.threads);
    const p = await predictCommand({
      model: args.get('--model'),
      weights: args.get('--weights'),
      image: args.get('--image'),
    });
    console.log(args.has('--json') ? JSON.stringify(p, null, 2) : formatPrediction(p));
    return;
  }
  const merge = args.get('--merge');
  if (merge !== undefined) {
    if (isManifest(merge)) {
      for (const flag of args.keys())
        if (!['--merge', '--results', '--out', '--data', '--data-cache', '--quiet'].includes(flag))
          throw new Error(`--merge of a sweep does not take ${flag}.`);
      const log = (s: string) => (args.has('--quiet') ? undefined : process.stderr.write(s));
      console.log(
        await mergeSweepCommand(
          merge,
          args.get('--results')?.split(','),
          args.get('--out'),
          sweepDataLoader(args, log),
        ),
      );
    } else mergeFiles(merge.split(','), args.get('--out'));
    return;
  }
  const known = new Set([
    ...SWITCHES,
    '--seeds',
    '--out',
    '--checkpoint',
    '--backends',
    '--plan',
    '--shards',
    '--manifest',
    '--shard',
    '--results',
    '--kernels',
    '--teachers',
    ...DATA_FLAGS,
    ...OPTIONS.map((o) => o.cliFlag),
  ]);
  for (const flag of args.keys()) if (!known.has(flag)) throw new Error(`Unknown option ${flag}.\n${USAGE}`);
  const { setup, problems, notes } = applyOptions(args, (o) => o.cliFlag, 'tiny');
  if (problems.length) throw new Error(problems.join(' ').replaceAll('; it was ignored.', '.'));
  for (const n of notes) process.stderr.write(`note: ${n}\n`);
  const { preset, config } = setup;
  // Weight files named by --teacher-weights / --student-weights: read and checked once, recorded by name,
  // size and SHA-256 (the config then says which files the run started from).
  const weights = readPretrained(config);
  const kernels = args.get('--kernels');
  if (kernels !== undefined) {
    const [build, fused] = kernels.split('+');
    if (
      !['relaxed', 'simd', 'off', 'tfjs'].includes(build) ||
      (fused !== undefined && (fused !== 'fused' || build === 'off' || build === 'tfjs'))
    )
      throw new Error(
        `--kernels: relaxed+fused (the default), simd+fused, relaxed, simd, off or tfjs, not "${kernels}".`,
      );
    // 'tfjs' and 'off' both mean tfjs's own kernels: on wasm its compositions, on webgpu its programs.
    useSimdKernels(build === 'tfjs' ? 'off' : (build as SimdChoice));
    // The fused element-wise ops (wasm) come with '+fused'; a build named alone is the engine before them.
    useFusedOps(fused === 'fused');
    // On WebGPU: tfjs's programs; the lab's gradient programs alone; or with its fused programs ('+fused').
    useWebgpuGradKernels(kernels === 'tfjs' || kernels === 'off' ? 'tfjs' : fused === 'fused' ? 'own' : 'gradients');
  }
  if (args.has('--data') && args.has('--check-backends'))
    throw new Error('--check-backends compares backends on the built-in data; it does not take --data.');
  if (args.has('--no-baseline')) config.baseline = false;
  if (args.has('--check-backends')) {
    // One epoch of each model and the adversary on, unless the command line says otherwise: enough to
    // exercise every kernel the sweep uses, short enough for a software GPU.
    if (!args.has('--teacher-epochs')) config.teacherEpochs = 1;
    // Students run one epoch past the adversary's warm-up, so its pull is in the check.
    if (!args.has('--student-epochs')) config.studentEpochs = config.debias.warmupEpochs + 1;
    if (!args.has('--lambdas')) config.lambdas = [0, 1];
    const { report, text } = await checkBackends(
      config,
      (s) => process.stderr.write(s),
      args.has('--backends') ? backendList(args.get('--backends')!) : undefined,
      args.get('--out'),
    );
    console.log(text);
    if (!report.ok) process.exitCode = 1;
    return;
  }
  const seedsText = args.get('--seeds');
  const seeds =
    seedsText === undefined ? [config.seed] : seedList(seedsText, (n) => process.stderr.write(`note: ${n}\n`));
  // The plan's size first, from the lists alone: a plan of millions is refused before one is built.
  const tooLarge = planSizeProblem(config, seeds.length);
  if (tooLarge) throw new Error(tooLarge);
  // Every output path before anything trains: a write that cannot work must not wait for the results.
  for (const flag of ['--out', '--checkpoint'] as const) {
    const path = args.get(flag);
    if (path !== undefined) checkOutputFile(flag, path);
  }
  for (const flag of ['--results', '--teachers'] as const) {
    const path = args.get(flag);
    if (path !== undefined) checkOutputFolder(flag, path);
  }
  const quiet = args.has('--quiet');
  const plan = args.get('--plan');
  if (plan !== undefined) {
    const shards = args.has('--shards') ? Number(args.get('--shards')) : undefined;
    if (shards !== undefined && !(Number.isInteger(shards) && shards >= 1))
      throw new Error('--shards: a whole number of shards, 1 or more.');
    console.log(
      planCommand(plan, config, seeds, shards, args.has('--data') ? await plannedData(args, config) : undefined),
    );
    return;
  }
  const manifest = args.get('--manifest');
  if (manifest !== undefined || args.has('--shard')) {
    if (manifest === undefined || !args.has('--shard'))
      throw new Error('A shard needs both --manifest FILE and --shard i/n.');
    // The manifest holds the sweep's settings: only where to run may be given here.
    // The weight files are where the shard finds them, checked against the manifest's SHA-256.
    const where = new Set(['backend', 'threads', 'teacherWeights', 'studentWeights']);
    const settings = OPTIONS.filter((o) => !where.has(o.name) && o.cliFlag !== undefined && args.has(o.cliFlag));
    const fixed = [
      ...settings.map((o) => o.cliFlag),
      ...['--seeds', '--no-baseline', '--wider-crop', '--wider-classes'].filter((f) => args.has(f)),
    ];
    if (fixed.length) throw new Error(`${fixed.join(', ')}: a shard takes its settings from the manifest.`);
    if (args.has('--data') && !readManifest(manifest).data)
      throw new Error('--data: the sweep was planned on the built-in data; a shard of it takes no --data.');
    const log = (s: string) => {
      if (!quiet) process.stderr.write(s);
    };
    const backend = await startBackend(setup.backend, setup.threads);
    const folders = { results: args.get('--results'), teachers: args.get('--teachers') };
    console.log(
      await shardCommand(
        manifest,
        args.get('--shard')!,
        folders,
        backend,
        log,
        config.pretrained,
        weights,
        sweepDataLoader(args, log),
      ),
    );
    return;
  }

  const log = (s: string) => {
    if (!quiet) process.stderr.write(s);
  };
  if (args.has('--prepare')) {
    if (!args.has('--data')) throw new Error('--prepare prepares --data folder:DIR or wider:DIR; give one.');
    await startBackend(setup.backend, setup.threads);
    const report = await prepareCommand(args, config, log);
    const out = args.get('--out');
    if (out !== undefined) writeAtomic(out, JSON.stringify(report, null, 2));
    console.log(formatPrepareReport(report));
    return;
  }
  // wasm threads: the lab page's rule by default; --threads 1 when running one process per core.
  const backend = await startBackend(setup.backend, setup.threads);
  log(`backend: ${describeBackend(backend)}\n`);
  if (config.dataset.kind !== 'synthetic')
    throw new Error('The headless runner generates the built-in dataset; imported datasets live in the browser.');
  let data: Dataset;
  if (args.has('--data')) {
    const prepared = await loadRunnerData(args, config, log);
    data = prepared.dataset;
    config.dataset = prepared.dataset.config;
  } else data = generateSynthetic(config.dataset);
  log(`dataset: ${data.name}, ${data.count} images\n`);

  const checkpointPath = args.get('--checkpoint') ?? null;
  const saved = checkpointPath ? readCheckpoint(checkpointPath, config, seeds) : null;
  const state: RunnerCheckpoint = saved ?? { version: 1, config, seeds, finished: [] };
  const save = () => {
    if (checkpointPath) writeCheckpoint(checkpointPath, state);
  };
  if (saved)
    log(
      `resuming from ${checkpointPath}: ${saved.finished.length} of ${seeds.length} seeds done${saved.current?.snapshot ? `, ${saved.current.snapshot.label} at epoch ${saved.current.snapshot.epoch} of ${saved.current.snapshot.epochs}` : ''}\n`,
    );
  const outPath = args.get('--out');
  const output = (runs: ExperimentResult[], complete: boolean): RunnerOutput => ({
    tool: 'FairDistill Lab headless runner',
    preset,
    backend,
    seeds,
    ...(complete ? {} : { finishedSeeds: runs.map((r) => r.config.seed) }),
    config,
    summary: summarize(runs),
    runs,
  });
  const results: ExperimentResult[] = [...state.finished];
  for (const seed of seeds.slice(results.length)) {
    const runConfig = { ...config, seed };
    const resume = state.current?.seed === seed ? await resumeCurrent(state.current) : undefined;
    if (state.current?.seed !== seed) state.current = { seed };
    const current = state.current;
    const result = await runExperiment(
      runConfig,
      data,
      backend,
      {
        ...(checkpointPath
          ? {
              onCheckpoint: (sweep) => {
                current.sweep = { ...sweep, students: [...sweep.students], failures: [...sweep.failures] };
                // The snapshot of a model that has now finished is dropped with this write.
                if (current.snapshot && finishedLabels(sweep).has(current.snapshot.label)) current.snapshot = undefined;
                save();
              },
              onRunSnapshot: (snap) => {
                current.snapshot = snap;
                save();
              },
              onModel: async (role, _label, model) => {
                if (role === 'teacher') current.teacher = await modelArtifacts(model);
              },
            }
          : {}),
        emit: progressLines(`seed ${seed}`, log),
        shouldStop: () => stopRequested() !== null,
        weights,
      },
      false,
      resume,
    ).catch((e: unknown) => {
      const signal = stopRequested();
      if (signal && e instanceof CancelledError) {
        log(
          checkpointPath
            ? `stopped by ${signal}; ${checkpointPath} holds the last finished epoch: the same command goes on from it\n`
            : `stopped by ${signal} (without --checkpoint nothing is kept)\n`,
        );
        throw new StoppedBySignal(signal);
      }
      throw e;
    });
    results.push(result);
    state.finished = [...results];
    state.current = undefined;
    save();
    // Each finished seed's results reach --out as soon as they exist (atomically, as the checkpoint):
    // a later failure, a full disk or a kill cannot take them back.
    if (outPath && seed !== seeds[seeds.length - 1])
      try {
        writeOutput(outPath, output(results, false));
      } catch (e) {
        // Training goes on: the results stay in memory (and the checkpoint); the last write tries again.
        log(
          `warning: ${outPath} could not be written after seed ${seed} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); training goes on\n`,
        );
      }
  }
  const summary = summarize(results);
  // The summary is printed before the last write: a write that fails leaves it on the screen.
  console.log(formatSummary(summary));
  const recommended = formatRecommendations(results);
  if (recommended) console.log(`\n${recommended}`);
  if (outPath) {
    try {
      writeOutput(outPath, output(results, true));
      log(`wrote ${outPath}\n`);
    } catch (e) {
      keepAfterFailedWrite(outPath, e as Error, checkpointPath, state);
      return;
    }
  }
  if (checkpointPath) removeCheckpoint(checkpointPath);
}

/**
 * The results file could not be written after training: the results are kept in the checkpoint (the
 * one given, else one written beside the temporary files), and the message says where and how to get
 * the file from it (the same command with --checkpoint finds every seed done and only writes --out).
 */
function keepAfterFailedWrite(outPath: string, e: Error, checkpointPath: string | null, state: RunnerCheckpoint): void {
  let kept = checkpointPath;
  if (!kept) {
    kept = join(tmpdir(), `fairdistill-results-${process.pid}.ckpt`);
    try {
      writeCheckpoint(kept, state);
    } catch {
      kept = null;
    }
  }
  console.error(
    `error: writing ${outPath} failed (${(e as NodeJS.ErrnoException).code ?? e.message}). ` +
      (kept
        ? `Every result is kept in the checkpoint ${kept}: free space or choose another --out, then run the same command with --checkpoint ${kept} — it finds every seed done and only writes the file.`
        : 'The results could not be kept anywhere; the summary above is all that is left.'),
  );
  process.exitCode = 1;
}

function writeOutput(path: string, out: RunnerOutput): void {
  writeAtomic(path, JSON.stringify(out, null, 2));
}

main().catch((e) => {
  if (e instanceof StoppedBySignal) process.exit(e.exitCode);
  console.error(`error: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
