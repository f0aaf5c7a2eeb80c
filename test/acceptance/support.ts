/**
 * Acceptance-test kit for `baton simulate` and `baton lint`: write manifests and a scenario to a
 * temp dir, run the CLI's own functions (runSimulate / runLint) and read the `--json` contract.
 * Expected values in the tests are worked out from issue 2 and docs argo-semantics.md, not read
 * off Baton's output.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { runSimulate } from '../../src/cli/commands/simulate.js';
import type { SimulationResult, TimelineEntry } from '../../src/engine/simulate.js';
import { tempDir } from '../support/net.js';

export * from './manifests.js';

const removers: (() => Promise<void>)[] = [];
afterAll(async () => {
  await Promise.all(removers.map((remove) => remove()));
});

/** A fresh temp dir holding `files` (name -> text); removed after the file's tests. */
export async function tempFiles(files: Record<string, string | Buffer>): Promise<string> {
  const dir = await tempDir('baton-acc-');
  removers.push(dir.remove);
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir.path, name), text);
  return dir.path;
}

export interface SimRun {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** Parsed `--json` output (undefined on exit 64). */
  result: SimulationResult;
}

/** `baton simulate -f <dir> --scenario <scenario> --json` on the given manifests. */
export async function simulate(manifests: string, scenario: string, opts: { json?: boolean; rollout?: string } = {}): Promise<SimRun> {
  const dir = await tempFiles({ 'manifests.yaml': manifests });
  const scen = await tempFiles({ 'scenario.yaml': scenario });
  const json = opts.json ?? true;
  const out = await runSimulate({ files: [dir], scenario: join(scen, 'scenario.yaml'), json, ...(opts.rollout ? { rollout: opts.rollout } : {}) });
  const result = json && out.exitCode !== 64 ? (JSON.parse(out.stdout) as SimulationResult) : (undefined as unknown as SimulationResult);
  return { ...out, result };
}

/** Timeline entries of one type. */
export function events(r: SimulationResult, type: string): TimelineEntry[] {
  return r.timeline.filter((e) => e.type === type);
}

/** `[t, canary]` of every WeightChanged. */
export function weights(r: SimulationResult): [number, number][] {
  return events(r, 'WeightChanged').map((e) => [e.t, e.canary as number]);
}

/** `[t, metric, phase]` of every Measurement. */
export function measurements(r: SimulationResult): [number, string, string][] {
  return events(r, 'Measurement').map((e) => [e.t, e.metric as string, e.phase as string]);
}

