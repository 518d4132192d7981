/**
 * Headless runner: the same engine as the page, in Node, on the wasm backend (cpu as fallback).
 *   npm run lab -- --preset tiny --methods kd,rkd --lambdas 0,0.5 --seeds 0,1,2 --out results.json
 * With --checkpoint FILE a killed run, started again with the same command, goes on from its last epoch.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { defaultWasmThreads, selectBackend, isBackendName } from '../engine/backend';
import { prepareNodeWasmThreads } from '../engine/wasmThreadsNode';
import { generateSynthetic } from '../engine/data/synthetic';
import { METHODS } from '../engine/distill';
import { runExperiment } from '../engine/experiment';
import { finishedLabels } from '../engine/plan';
import { EXPERIMENT_PRESETS, methodChoice, type PresetName } from '../engine/presets';
import type { ExperimentConfig, ExperimentResult, MethodId } from '../engine/types';
import { modelArtifacts } from '../engine/models/artifacts';
import { readCheckpoint, removeCheckpoint, resumeFrom, writeCheckpoint, type RunnerCheckpoint } from './checkpointFile';
import { summarize, formatSummary } from './summary';

const USAGE = `Usage: npm run lab -- [--preset tiny|lab] [--methods kd,rkd,ctkd,kdpp,dkd] [--lambdas 0,0.5]
                    [--seeds 0,1,2] [--teacher-epochs N] [--student-epochs N] [--backend wasm|cpu] [--threads N]
                    [--no-baseline] [--out results.json] [--checkpoint run.ckpt] [--quiet]
       npm run lab -- --merge seed0.json,seed1.json [--out all.json]   (one table over runs made apart,
                    e.g. one seed per process to use every core)`;

function parseArgs(argv: string[]): Record<string, string | boolean> {
  const out: Record<string, string | boolean> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new Error(`Unexpected argument "${a}".\n${USAGE}`);
    const key = a.slice(2);
    const next = argv[i + 1];
    if (next === undefined || next.startsWith('--')) out[key] = true;
    else {
      out[key] = next;
      i++;
    }
  }
  return out;
}

function numberList(s: string | boolean | undefined, name: string): number[] | undefined {
  if (s === undefined) return undefined;
  if (typeof s !== 'string') throw new Error(`--${name} needs a comma-separated list.`);
  const values = s.split(',').map((x) => Number(x.trim()));
  if (values.some((v) => !Number.isFinite(v))) throw new Error(`--${name}: "${s}" is not a list of numbers.`);
  return values;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (args.help) {
    console.log(USAGE);
    return;
  }
  if (typeof args.merge === 'string') {
    const files = args.merge
      .split(',')
      .map(
        (f) =>
          JSON.parse(readFileSync(f.trim(), 'utf8')) as {
            runs: ExperimentResult[];
            seeds: number[];
            preset: string;
            backend: unknown;
            config: ExperimentConfig;
          },
      );
    const runs = files.flatMap((f) => f.runs);
    const summary = summarize(runs);
    if (typeof args.out === 'string')
      writeFileSync(
        args.out,
        JSON.stringify(
          {
            tool: 'FairDistill Lab headless runner (merged)',
            preset: files[0].preset,
            backend: files[0].backend,
            seeds: files.flatMap((f) => f.seeds),
            config: files[0].config,
            summary,
            runs,
          },
          null,
          2,
        ),
      );
    console.log(formatSummary(summary));
    return;
  }
  const preset = (args.preset ?? 'tiny') as PresetName;
  if (!(preset in EXPERIMENT_PRESETS))
    throw new Error(`Unknown preset "${preset}". Known: ${Object.keys(EXPERIMENT_PRESETS).join(', ')}.`);
  const base = EXPERIMENT_PRESETS[preset];
  const config: ExperimentConfig = structuredClone(base);
  if (typeof args.methods === 'string') {
    const ids = args.methods.split(',').map((s) => s.trim());
    const known = METHODS.map((m) => m.id as string);
    for (const id of ids)
      if (!known.includes(id)) throw new Error(`Unknown method "${id}". Known: ${known.join(', ')}.`);
    config.methods = ids.filter((id) => id !== 'none').map((id) => methodChoice(preset, id as MethodId));
  } else {
    config.methods = config.methods.map((m) => methodChoice(preset, m.id, m.params));
  }
  config.lambdas = numberList(args.lambdas, 'lambdas') ?? config.lambdas;
  if (args['teacher-epochs']) config.teacherEpochs = Number(args['teacher-epochs']);
  if (args['student-epochs']) config.studentEpochs = Number(args['student-epochs']);
  if (args['no-baseline']) config.baseline = false;
  const seeds = numberList(args.seeds, 'seeds') ?? [config.seed];
  const forced = args.backend;
  if (forced !== undefined && !isBackendName(forced)) throw new Error(`Unknown backend "${String(forced)}".`);
  const quiet = !!args.quiet;

  // wasm threads: the lab page's rule by default; --threads 1 when running one process per core.
  const threads = args.threads === undefined ? defaultWasmThreads(availableParallelism()) : Number(args.threads);
  if (!Number.isInteger(threads) || threads < 1 || threads > 16)
    throw new Error(`--threads must be a whole number from 1 to 16 (got ${String(args.threads)}).`);
  const backend = await selectBackend({
    forced: forced as never,
    wasmThreads: threads,
    nodeWasmThreads: prepareNodeWasmThreads,
  });
  const log = (s: string) => {
    if (!quiet) process.stderr.write(s);
  };
  log(
    `backend: ${backend.name}${backend.threads ? ` (${backend.threads} thread${backend.threads > 1 ? 's' : ''})` : ''}${backend.fallbacks.length ? ` (passed over: ${backend.fallbacks.join('; ')})` : ''}\n`,
  );
  if (config.dataset.kind !== 'synthetic')
    throw new Error('The headless runner generates the built-in dataset; imported datasets live in the browser.');
  const data = generateSynthetic(config.dataset);
  log(`dataset: ${data.name}, ${data.count} images\n`);

  const checkpointPath = typeof args.checkpoint === 'string' ? args.checkpoint : null;
  const saved = checkpointPath ? readCheckpoint(checkpointPath, config, seeds) : null;
  const state: RunnerCheckpoint = saved ?? { version: 1, config, seeds, finished: [] };
  const save = () => {
    if (checkpointPath) writeCheckpoint(checkpointPath, state);
  };
  if (saved)
    log(
      `resuming from ${checkpointPath}: ${saved.finished.length} of ${seeds.length} seeds done${saved.current?.snapshot ? `, ${saved.current.snapshot.label} at epoch ${saved.current.snapshot.epoch} of ${saved.current.snapshot.epochs}` : ''}\n`,
    );
  const results: ExperimentResult[] = [...state.finished];
  for (const seed of seeds.slice(results.length)) {
    const runConfig = { ...config, seed };
    let last = 0;
    const resume = state.current?.seed === seed ? await resumeFrom(state.current) : undefined;
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
        emit: (e) => {
          if (e.type === 'progress' && Date.now() - last > 2000) {
            last = Date.now();
            log(
              `  seed ${seed} · ${e.runLabel} · epoch ${e.epoch}/${e.epochs} · ${(100 * e.fraction).toFixed(0)}%${e.etaSeconds !== null ? ` · ETA ${e.etaSeconds.toFixed(0)} s` : ''}\n`,
            );
          } else if (e.type === 'result') {
            log(
              `  seed ${seed} · ${e.result.label}: accuracy ${(100 * e.result.test.accuracy).toFixed(1)}%, mean |disparity| ${e.result.fairness.meanAbsDisparity.toFixed(4)}\n`,
            );
          }
        },
      },
      false,
      resume,
    );
    results.push(result);
    state.finished = [...results];
    state.current = undefined;
    save();
  }
  const summary = summarize(results);
  const out = { tool: 'FairDistill Lab headless runner', preset, backend, seeds, config, summary, runs: results };
  if (typeof args.out === 'string') {
    writeFileSync(args.out, JSON.stringify(out, null, 2));
    log(`wrote ${args.out}\n`);
  }
  if (checkpointPath) removeCheckpoint(checkpointPath);
  console.log(formatSummary(summary));
}

main().catch((e) => {
  console.error(`error: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
