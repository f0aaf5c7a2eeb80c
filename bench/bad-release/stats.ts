/**
 * bench/bad-release, statistics only: thousands of seeded releases of modelled traffic,
 * judged by the sequential count test (what the `sequential` provider runs every measurement)
 * and, for contrast, by Fisher's exact test at a fixed level re-run at every interval (a
 * fixed-horizon test looked at repeatedly, as an interval-based judge does). Reports detection
 * time, canary requests failed before the decision, and the false-abort rate of A/A releases.
 *
 *   npx tsx bench/bad-release/stats.ts [--runs 1000] [--rate 200] [--weight 0.1] [--interval 10] [--minutes 10]
 *
 * Model: `rate` req/s in all; the canary and a baseline each get `weight` of it; the baseline
 * fails 0.1 % of requests; the canary fails its case's rate. One block per interval.
 */
import { fisherExact } from '../../src/core/stats/fisher-exact.js';
import { binomialDraw, seededRandom, type Random } from '../../src/core/stats/random.js';
import { initialCountState, updateCountTest } from '../../src/core/stats/sequential-counts.js';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(String(process.argv[i]).replace(/^--/, ''), String(process.argv[i + 1]));
const runs = Number(args.get('runs') ?? 1000);
const rate = Number(args.get('rate') ?? 200);
const weight = Number(args.get('weight') ?? 0.1);
const interval = Number(args.get('interval') ?? 10);
const minutes = Number(args.get('minutes') ?? 10);
const ALPHA = 0.01;
const BASELINE_ERRORS = 0.001;
const perBlock = Math.round(rate * weight * interval);
const blocks = Math.round((minutes * 60) / interval);

interface Outcome {
  /** Seconds from the release start to the abort decision; undefined: never aborted. */
  at?: number;
  /** Canary requests that failed before the decision. */
  harmed: number;
}

function release(rand: Random, canaryRate: number, decide: 'sequential' | 'fisher'): Outcome {
  let state = initialCountState({ alpha: ALPHA });
  const cum = { c: { events: 0, total: 0 }, b: { events: 0, total: 0 } };
  let harmed = 0;
  for (let k = 0; k < blocks; k++) {
    const c = { total: perBlock, events: binomialDraw(rand, perBlock, canaryRate) };
    const b = { total: perBlock, events: binomialDraw(rand, perBlock, BASELINE_ERRORS) };
    harmed += c.events;
    cum.c = { events: cum.c.events + c.events, total: cum.c.total + c.total };
    cum.b = { events: cum.b.events + b.events, total: cum.b.total + b.total };
    let abort: boolean;
    if (decide === 'sequential') {
      const out = updateCountTest(state, { canary: c, baseline: b }, { alpha: ALPHA });
      state = out.state;
      abort = out.verdict.decision === 'reject';
    } else {
      abort = fisherExact(cum.c, cum.b, 'greater').pValue < ALPHA;
    }
    if (abort) return { at: (k + 1) * interval, harmed };
  }
  return { harmed };
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}

const cases = [0.001, 0.005, 0.01, 0.02, 0.05, 0.2, 1];
console.log(`${runs} releases per case; ${rate} req/s, canary and baseline ${weight * 100} % each (${perBlock} requests per ${interval} s interval), baseline errors 0.1 %, ${minutes} min, alpha ${ALPHA}`);
console.log('| canary errors | test | aborted | median time to abort | p90 | median failed canary requests before abort |');
console.log('|---:|---|---:|---:|---:|---:|');
for (const p of cases) {
  for (const decide of ['sequential', 'fisher'] as const) {
    const rand = seededRandom(Math.round(p * 1e6) + (decide === 'fisher' ? 1 : 0));
    const outcomes = Array.from({ length: runs }, () => release(rand, p, decide));
    const aborted = outcomes.filter((o) => o.at !== undefined);
    const times = aborted.map((o) => o.at as number).sort((a, b) => a - b);
    const harmed = aborted.map((o) => o.harmed).sort((a, b) => a - b);
    const label = p === BASELINE_ERRORS ? `${p * 100} % (A/A)` : `${p * 100} %`;
    const name = decide === 'sequential' ? 'sequential (any look)' : `Fisher at ${ALPHA} every ${interval} s`;
    const share = `${((aborted.length / runs) * 100).toFixed(1)} %`;
    const t = times.length ? `${quantile(times, 0.5)} s` : '-';
    const t90 = times.length ? `${quantile(times, 0.9)} s` : '-';
    const h = harmed.length ? String(quantile(harmed, 0.5)) : '-';
    console.log(`| ${label} | ${name} | ${share} | ${t} | ${t90} | ${h} |`);
  }
}
