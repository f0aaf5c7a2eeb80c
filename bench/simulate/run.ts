/**
 * bench/simulate: `baton simulate` of a 24 h background analysis at a 10 s interval
 * (8,640 measurements). Reports wall time per run (median of several) and per measurement.
 *
 *   npx tsx bench/simulate/run.ts [--runs 7]
 */
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { runSimulate } from '../../src/cli/commands/simulate.js';
import type { SimulationResult } from '../../src/engine/simulate.js';

const here = dirname(fileURLToPath(import.meta.url));
const runsAt = process.argv.indexOf('--runs');
const runs = runsAt > 0 ? Number(process.argv[runsAt + 1]) : 7;
const opts = { files: [join(here, 'fixture', 'rollout.yaml')], scenario: join(here, 'fixture', 'scenario.yaml'), json: true };

// One warm-up run: module loading and JIT are not what is measured.
await runSimulate(opts);
const times: number[] = [];
let result: SimulationResult | undefined;
for (let i = 0; i < runs; i++) {
  const t0 = process.hrtime.bigint();
  const out = await runSimulate(opts);
  times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  result = JSON.parse(out.stdout) as SimulationResult;
}
times.sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)] ?? NaN;
const measurements = result?.timeline.filter((e) => e.type === 'Measurement').length ?? 0;
console.log(JSON.stringify({ bench: 'simulate-24h-background', phase: result?.phase, virtualSeconds: result?.elapsedSeconds, measurements, runs, medianMs: +median.toFixed(1), minMs: +(times[0] ?? NaN).toFixed(1), maxMs: +(times[times.length - 1] ?? NaN).toFixed(1), usPerMeasurement: +((median * 1000) / Math.max(1, measurements)).toFixed(1) }));
