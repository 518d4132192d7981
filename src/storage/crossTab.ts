/**
 * Tabs of one origin share the lab's storage. Two browser features keep them from hurting each other:
 * - Web Locks (`navigator.locks`): the tab that runs a sweep holds the sweep's lock for as long as it
 *   runs, and shared locks on the dataset and imported teacher it reads. A lock dies with its tab, so
 *   a crashed tab's sweep is free (interrupted) at once, and a live one is never taken for it.
 * - A BroadcastChannel: whoever changes stored records says so, and every other tab refreshes.
 * Both exist in windows and workers; where they do not (Node's tests, old browsers) a tab is alone.
 */

export const LAB_CHANNEL = 'fairdistill-lab';

/** What changed in storage, as another tab hears it. */
export type StorageNews = {
  kind: 'sweepStarted' | 'sweepEnded' | 'runs' | 'datasets' | 'teachers' | 'models';
  id?: string;
};

const PREFIX = 'fairdistill-lab/';

export const lockName = {
  sweep: (id: string) => `${PREFIX}sweep/${id}`,
  dataset: (key: string) => `${PREFIX}dataset/${key}`,
  model: (key: string) => `${PREFIX}model/${key}`,
};

const locks = (): LockManager | undefined => (globalThis.navigator as Navigator | undefined)?.locks;

/**
 * Takes the lock `name` now, or answers null when another holder has it (never waits). Resolves to
 * the function that releases it.
 */
export function tryHold(name: string, mode: LockMode = 'exclusive'): Promise<(() => void) | null> {
  return request(name, { mode, ifAvailable: true });
}

/** Takes the lock `name`, waiting for it if need be; resolves to the function that releases it. */
export async function hold(name: string, mode: LockMode = 'exclusive'): Promise<() => void> {
  return (await request(name, { mode }))!;
}

function request(name: string, options: LockOptions): Promise<(() => void) | null> {
  const lm = locks();
  if (!lm) return Promise.resolve(() => undefined);
  return new Promise((resolve, reject) => {
    lm.request(name, options, (lock) => {
      if (!lock) {
        resolve(null);
        return undefined;
      }
      // The lock lasts as long as this promise is pending: until the caller releases it.
      return new Promise<void>((release) => resolve(release));
    }).catch(reject);
  });
}

/** Runs `work` holding `name` exclusively, or answers `busy` without running it when the lock is held. */
export async function whileFree<T>(name: string, work: () => Promise<T>): Promise<{ busy: true } | { value: T }> {
  const release = await tryHold(name);
  if (!release) return { busy: true };
  try {
    return { value: await work() };
  } finally {
    release();
  }
}

/** The names of the locks held now, in any tab of this origin. */
export async function heldLocks(): Promise<Set<string>> {
  const lm = locks();
  if (!lm) return new Set();
  const state = await lm.query();
  return new Set((state.held ?? []).flatMap((l) => (l.name ? [l.name] : [])));
}

/** The ids of the sweeps that some tab is running now. */
export async function liveSweepIds(): Promise<Set<string>> {
  const prefix = lockName.sweep('');
  return new Set([...(await heldLocks())].filter((n) => n.startsWith(prefix)).map((n) => n.slice(prefix.length)));
}

/** Resolves once the lock `name` is free (or at once where locks do not exist). */
export function whenFree(name: string): Promise<void> {
  const lm = locks();
  if (!lm) return Promise.resolve();
  return lm.request(name, { mode: 'shared' }, () => undefined).then(() => undefined);
}

let channel: BroadcastChannel | null | undefined;
const theChannel = () => {
  if (channel === undefined)
    channel = typeof BroadcastChannel === 'undefined' ? null : new BroadcastChannel(LAB_CHANNEL);
  return channel;
};

/** Tells the other tabs (and this tab's page, when the worker speaks) what changed. */
export function announce(news: StorageNews): void {
  theChannel()?.postMessage(news);
}

/** Hears what other contexts of this origin announce; returns the function that stops listening. */
export function listenForNews(onNews: (news: StorageNews) => void): () => void {
  if (typeof BroadcastChannel === 'undefined') return () => undefined;
  // A channel of its own: a context does not hear its own posts, and the worker's are another context's.
  const c = new BroadcastChannel(LAB_CHANNEL);
  c.onmessage = (e: MessageEvent<StorageNews>) => {
    if (e.data && typeof e.data.kind === 'string') onNews(e.data);
  };
  return () => c.close();
}
