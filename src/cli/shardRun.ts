import { existsSync, mkdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import * as tf from '@tensorflow/tfjs';
import { modelArtifacts } from '../engine/models/artifacts';
import { CancelledError, runExperiment, type ResumeFrom } from '../engine/run/experiment';
import type { BackendReport, Dataset, LabEvent, ModelResult, RunFailure, RunSnapshot } from '../engine/types';
import { writeAtomic } from './atomicFile';
import type { PretrainedWeights } from '../engine/run/pretrained';
import { sourceCommit } from './sourceCommit';
import { StoppedBySignal, stopRequested } from './stopSignals';
import { cellConfig, cellName, shardCells, teacherKey, type SweepCell, type SweepManifest } from './sweepManifest';

/**
 * One shard of a planned sweep. Its cells' results go to one file per cell; the teacher of each seed
 * is trained once, by whichever shard gets there first, and shared through a directory every shard
 * can read (a shared volume, or an object store mounted as one). A shard killed and started again
 * skips its finished cells and goes on from the last epoch of the one it was training.
 */

export interface ShardPaths {
  /** Where each cell's result is written (cells/<index>.json). */
  results: string;
  /** Shared trained teachers, their locks and the epoch snapshot of a teacher in training. */
  teachers: string;
  /** This shard's checkpoint: the epoch snapshot of the cell it is training. */
  checkpoint: string;
}

/** What a cell's file holds: the manifest it belongs to, the student's result or failure, and the teacher it used. */
export interface CellResult {
  manifest: string;
  index: number;
  seed: number;
  label: string;
  result?: ModelResult;
  failure?: RunFailure;
  teacher: ModelResult;
  backend: BackendReport;
  dataset: { train: number; val: number; test: number };
  startedAt: string;
  seconds: number;
  /** The commit the cell's code came from (see sourceCommit); absent in cells written before it was kept. */
  commit?: string;
}

interface SharedTeacher {
  key: string;
  artifacts: tf.io.ModelArtifacts;
  result: ModelResult;
}

/** A teacher lock older than this (no heartbeat from its holder) is taken over. */
const STALE_LOCK_SECONDS = Number(process.env.FAIRDISTILL_LOCK_STALE_SECONDS ?? 180);

export function cellFile(results: string, index: number): string {
  return join(results, `${index}.json`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class ShardRunner {
  private readonly owner: string;
  private heartbeatAt = 0;
  /** The teacher lock this shard holds while it trains that teacher (released on a stop signal). */
  private held: string | null = null;
  private readonly commit = sourceCommit();

  constructor(
    private readonly manifest: SweepManifest,
    private readonly shard: { index: number; count: number },
    private readonly paths: ShardPaths,
    private readonly data: Dataset,
    private readonly backend: BackendReport,
    private readonly log: (s: string) => void,
    private readonly weights?: PretrainedWeights,
  ) {
    this.owner = `shard ${shard.index}/${shard.count} on ${hostname()}`;
    for (const dir of [paths.results, paths.teachers]) mkdirSync(dir, { recursive: true });
  }

  private teacherFile = (key: string) => join(this.paths.teachers, `${key}.teacher`);
  private lockDir = (key: string) => join(this.paths.teachers, `${key}.lock`);
  private teacherSnapshot = (key: string) => join(this.paths.teachers, `${key}.snapshot`);

  private readTeacher(key: string): SharedTeacher | null {
    const f = this.teacherFile(key);
    return existsSync(f) ? (deserialize(readFileSync(f)) as SharedTeacher) : null;
  }

  /** Takes the teacher's lock (an atomic mkdir); a stale lock, or one left by this shard's killed run, is taken over. */
  private tryLock(key: string): boolean {
    const dir = this.lockDir(key);
    try {
      mkdirSync(dir);
    } catch {
      let holder: string;
      let age: number;
      try {
        holder = readFileSync(join(dir, 'owner'), 'utf8');
        age = (Date.now() - statSync(dir).mtimeMs) / 1000;
      } catch {
        return false; // released or being written: look again on the next poll
      }
      const mine = holder.startsWith(`shard ${this.shard.index}/${this.shard.count} `);
      if (!mine && age < STALE_LOCK_SECONDS) return false;
      this.log(
        `taking over the lock on teacher ${key} (${mine ? 'left by this shard before a restart' : `no sign of life from ${holder} for ${age.toFixed(0)} s`})\n`,
      );
      rmSync(dir, { recursive: true, force: true });
      try {
        mkdirSync(dir);
      } catch {
        return false;
      }
    }
    writeFileSync(join(dir, 'owner'), this.owner);
    this.held = key;
    return true;
  }

  /**
   * Gives up the teacher lock this shard holds (it was stopped): another shard takes the teacher on
   * from its last epoch snapshot at once instead of waiting for the lock to go stale.
   */
  releaseLock(): void {
    if (this.held === null) return;
    rmSync(this.lockDir(this.held), { recursive: true, force: true });
    this.log(`released the lock on teacher ${this.held}\n`);
    this.held = null;
  }

  private heartbeat(key: string): void {
    if (Date.now() - this.heartbeatAt < 5000) return;
    this.heartbeatAt = Date.now();
    const now = new Date();
    try {
      utimesSync(this.lockDir(key), now, now);
    } catch {
      // A lock taken over by another shard: its teacher will be the same (seeded), nothing to undo.
    }
  }

  /** The seed's shared teacher, or null when this shard holds its lock and is to train it. */
  private async teacherFor(key: string): Promise<SharedTeacher | null> {
    let said = false;
    for (;;) {
      const t = this.readTeacher(key);
      if (t) return t;
      if (this.tryLock(key)) {
        if (this.readTeacher(key)) continue; // published between the two looks
        return null;
      }
      if (!said) this.log(`waiting for teacher ${key}, trained by another shard\n`);
      said = true;
      await sleep(2000);
      const signal = stopRequested();
      if (signal) throw new StoppedBySignal(signal);
    }
  }

  /** The cells of this shard, each trained and written unless its file already says it is done. */
  async run(emit: (e: LabEvent) => void): Promise<{ ran: number; skipped: number }> {
    let ran = 0;
    let skipped = 0;
    for (const cell of shardCells(this.manifest, this.shard.index, this.shard.count)) {
      const file = cellFile(this.paths.results, cell.index);
      if (existsSync(file) && (JSON.parse(readFileSync(file, 'utf8')) as CellResult).manifest === this.manifest.hash) {
        skipped++;
        continue;
      }
      try {
        await this.runCell(cell, emit);
      } catch (e) {
        const signal = stopRequested();
        if (!signal || !(e instanceof CancelledError || e instanceof StoppedBySignal)) throw e;
        this.releaseLock();
        this.log(`${cellName(cell)}: stopped by ${signal}; a restart goes on from its last finished epoch\n`);
        throw new StoppedBySignal(signal);
      }
      ran++;
    }
    return { ran, skipped };
  }

  private savedSnapshot(cell: SweepCell): RunSnapshot | undefined {
    if (!existsSync(this.paths.checkpoint)) return undefined;
    const saved = deserialize(readFileSync(this.paths.checkpoint)) as {
      manifest: string;
      index: number;
      snapshot: RunSnapshot;
    };
    return saved.manifest === this.manifest.hash && saved.index === cell.index ? saved.snapshot : undefined;
  }

  private async runCell(cell: SweepCell, emit: (e: LabEvent) => void): Promise<void> {
    const key = teacherKey(this.manifest, cell.seed);
    const shared = await this.teacherFor(key);
    const started = new Date().toISOString();
    const snapshot = this.savedSnapshot(cell);
    let resume: ResumeFrom | undefined;
    if (shared) {
      resume = {
        teacher: await tf.loadLayersModel(tf.io.fromMemory(shared.artifacts)),
        teacherResult: shared.result,
        students: [],
        startedAt: started,
        inProgress: snapshot,
      };
    } else if (existsSync(this.teacherSnapshot(key))) {
      const teacherSnap = deserialize(readFileSync(this.teacherSnapshot(key))) as RunSnapshot;
      this.log(`teacher ${key}: going on from its epoch ${teacherSnap.epoch} snapshot\n`);
      resume = { students: [], startedAt: started, inProgress: teacherSnap };
    }
    this.log(
      `${cellName(cell)}: ${shared ? 'distilling from the shared teacher' : `training teacher ${key} first`}${snapshot ? `, going on from epoch ${snapshot.epoch}` : ''}\n`,
    );
    let trained: tf.io.ModelArtifacts | undefined;
    let published = Boolean(shared);
    const result = await runExperiment(
      cellConfig(this.manifest, cell),
      this.data,
      this.backend,
      {
        emit: (e) => {
          if (!published && e.type === 'progress') this.heartbeat(key);
          emit(e);
        },
        onModel: async (role, _label, model) => {
          if (role === 'teacher') trained = await modelArtifacts(model);
          return undefined;
        },
        shouldStop: () => stopRequested() !== null,
        weights: this.weights,
        onCheckpoint: (state) => {
          // The teacher is published as soon as it is trained, before this shard's student.
          if (published || !state.teacher || !trained) return;
          writeAtomic(this.teacherFile(key), serialize({ key, artifacts: trained, result: state.teacher }));
          rmSync(this.teacherSnapshot(key), { force: true });
          rmSync(this.lockDir(key), { recursive: true, force: true });
          this.held = null;
          published = true;
        },
        onRunSnapshot: (snap) => {
          if (snap.label === 'Teacher') writeAtomic(this.teacherSnapshot(key), serialize(snap));
          else
            writeAtomic(
              this.paths.checkpoint,
              serialize({ manifest: this.manifest.hash, index: cell.index, snapshot: snap }),
            );
        },
      },
      false,
      resume,
    );
    // The cell's own student, by its label: a result under another label would be filed as this cell's.
    const student = result.students.find((s) => s.label === cell.label);
    const failure = result.failures?.find((f) => f.label === cell.label);
    if (result.students.length + (result.failures?.length ?? 0) !== 1 || (!student && !failure))
      throw new Error(
        `${cellName(cell)}: the run trained ${[...result.students, ...(result.failures ?? [])].map((s) => s.label).join(', ') || 'no student'}, not this cell's one student.`,
      );
    const out: CellResult = {
      manifest: this.manifest.hash,
      index: cell.index,
      seed: cell.seed,
      label: cell.label,
      ...(student ? { result: student } : {}),
      ...(failure ? { failure } : {}),
      teacher: result.teacher,
      backend: result.backend,
      dataset: { train: result.dataset.train, val: result.dataset.val, test: result.dataset.test },
      startedAt: result.startedAt,
      seconds: result.seconds,
      ...(this.commit ? { commit: this.commit } : {}),
    };
    writeAtomic(cellFile(this.paths.results, cell.index), JSON.stringify(out));
    rmSync(this.paths.checkpoint, { force: true });
  }
}
