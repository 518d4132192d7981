import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { takeLock } from './dataCache';

/**
 * One of several processes contending for a preparation lock (dataCache.test.ts): takes and gives back
 * the lock ROUNDS times, marking the folder while it holds it; prints how often it found another holder's
 * mark, which a lock that excludes is never.
 */
const [dir, roundsText] = process.argv.slice(2);
let overlaps = 0;
for (let i = 0; i < Number(roundsText); i++) {
  const unlock = await takeLock(dir, () => {}, 1);
  try {
    writeFileSync(join(dir, 'holder'), String(process.pid), { flag: 'wx' });
  } catch {
    overlaps++;
  }
  const until = Date.now() + 1;
  while (Date.now() < until); // hold it a moment
  rmSync(join(dir, 'holder'), { force: true });
  unlock();
}
process.stdout.write(`${overlaps}\n`);
