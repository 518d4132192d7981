import { applyOptions } from '../src/engine/options';
import { planSizeProblem, validateExperiment } from '../src/engine/plan';
import { readUrlSetup } from '../src/store/urlConfig';

/**
 * How long a plan of 10^8 students takes to be refused: two sweeps of 1,000 DKD values × 100 λ, read
 * as the runner reads its flags (option table + plan size) and as the page reads a link (URL setup +
 * the form's validation). Median of repeated rounds, in milliseconds; the same code in Node and in
 * Chromium's page (the bench page calls this too).
 */
export interface PlanRefusal {
  where: string;
  students: number;
  runnerMs: number;
  pageMs: number;
  message: string;
}

export function planRefusal(where: string, rounds = 9): PlanRefusal {
  const values = Array.from({ length: 1000 }, (_, i) => (1 + i / 100).toFixed(2)).join(',');
  const lambdas = Array.from({ length: 100 }, (_, i) => i).join(',');
  const sweep = `dkd.alpha=${values};dkd.beta=${values}`;
  const flags = new Map([
    ['--methods', 'dkd'],
    ['--sweep', sweep],
    ['--lambdas', lambdas],
    ['--no-baseline', 'true'],
  ]);
  const query = new URLSearchParams({ preset: 'tiny', methods: 'dkd', baseline: '0', lambdas, sweep }).toString();
  let message = '';
  const time = (f: () => string | null) => {
    const ms: number[] = [];
    for (let r = 0; r < rounds; r++) {
      const t0 = performance.now();
      message = f() ?? '';
      ms.push(performance.now() - t0);
    }
    return ms.sort((a, b) => a - b)[rounds >> 1];
  };
  const runnerMs = time(() => {
    const { setup } = applyOptions(flags, (o) => o.cliFlag, 'tiny');
    setup.config.baseline = false;
    return planSizeProblem(setup.config, 1);
  });
  const pageMs = time(() => validateExperiment(readUrlSetup(`?${query}`).config)[0] ?? null);
  if (!message.startsWith('The plan holds 100,000,000 students'))
    throw new Error(`the plan was not refused as it should be: ${message}`);
  return { where, students: 1e8, runnerMs, pageMs, message };
}
