/**
 * SIGTERM (Slurm's preemption and requeue, Kubernetes' pod termination, `docker stop`) and SIGINT
 * (Ctrl-C) stop the runner between two training steps: the step in flight ends, the epoch in progress
 * is abandoned — its last finished epoch is already on disk, written atomically — a teacher lock the
 * shard holds is released so no other shard waits for it, and the process exits with 128 + the
 * signal's number (143, 130), the status job runners read as "stopped by a signal". A second signal
 * exits at once. Node installs no default handler when it runs as a container's PID 1; this one does.
 */

const CODES = { SIGTERM: 143, SIGINT: 130 } as const;
export type StopSignal = keyof typeof CODES;

/** Thrown where the runner stops for a signal; lab.ts turns it into the exit status. */
export class StoppedBySignal extends Error {
  constructor(readonly signal: StopSignal) {
    super(`stopped by ${signal}`);
    this.name = 'StoppedBySignal';
  }
  get exitCode(): number {
    return CODES[this.signal];
  }
}

let received: StopSignal | null = null;
const onStop: (() => void)[] = [];

/** Installs the handlers (once); `log` says what the runner will do. */
export function installStopSignals(log: (s: string) => void): void {
  if (installed) return;
  installed = true;
  for (const signal of Object.keys(CODES) as StopSignal[])
    process.on(signal, () => {
      if (received) {
        log(`${signal} again: exiting now\n`);
        process.exit(CODES[signal]);
      }
      received = signal;
      log(`${signal}: stopping after the current step (the last finished epoch is kept; a restart goes on from it)\n`);
      for (const f of onStop.splice(0)) f();
    });
}
let installed = false;

/** The signal that asked the runner to stop, or null. */
export const stopRequested = (): StopSignal | null => received;

/** Runs `f` once when a stop signal arrives (e.g. to wake a wait). */
export function whenStopRequested(f: () => void): void {
  if (received) f();
  else onStop.push(f);
}
