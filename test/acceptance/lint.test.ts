/**
 * Acceptance: `baton lint` (issue 2 items 2 and 7): every problem at once with file:line and
 * field path, exit 1 on errors, 0 on warnings only, `--json`, and no stack trace for bad input.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runLint } from '../../src/cli/commands/lint.js';
import type { Diagnostic } from '../../src/core/spec/diagnostics.js';
import { istioServices, routedCanary, tempFiles } from './support.js';

const EVERY_ERROR = 'test/acceptance/fixtures/every-error.yaml';
const TEXT = readFileSync(EVERY_ERROR, 'utf8');

/** 1-based line of the first line containing `needle` at or after line `from`. */
function line(needle: string, from = 1): number {
  const lines = TEXT.split('\n');
  for (let i = from - 1; i < lines.length; i++) if (lines[i]?.includes(needle)) return i + 1;
  throw new Error(`fixture has no ${JSON.stringify(needle)}`);
}

interface LintJson {
  valid: boolean;
  errors: number;
  warnings: number;
  files: number;
  diagnostics: Diagnostic[];
}

const STACK = /\n\s+at [^\n]+:\d+:\d+/;

describe('baton lint: every error at once', () => {
  it('reports each error case with file:line and field path, and exits 1', async () => {
    const out = await runLint([EVERY_ERROR], { json: true });
    expect(out.exitCode).toBe(1);
    const body = JSON.parse(out.stdout) as LintJson;
    const got = body.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.line} ${d.path}`);
    const bg = line('name: bg}');
    const want = [
      // services named by the strategy exist
      `${line('stableService: shop-missing')} spec.strategy.canary.stableService`,
      // maxSurge and maxUnavailable both 0
      `${line('maxSurge: 0')} spec.strategy.canary.maxSurge`,
      // setWeight 0..100
      `${line('setWeight: 150')} spec.strategy.canary.steps[0].setWeight`,
      // a bad pause unit
      `${line('duration: 30x')} spec.strategy.canary.steps[1].pause.duration`,
      // an empty step; a step with two kinds
      `${line('- {}')} spec.strategy.canary.steps[2]`,
      `${line('- setWeight: 10')} spec.strategy.canary.steps[3]`,
      // a step's template exists
      `${line('templateName: nope')} spec.strategy.canary.steps[4].analysis.templates[0].templateName`,
      // setHeaderRoute names a managedRoutes entry
      `${line('setHeaderRoute: {name: alpha')} spec.strategy.canary.steps[5].setHeaderRoute.name`,
      // count > 1 requires interval; failureLimit >= -1; a condition that does not compile
      `${line('- name: a')} spec.metrics[0].interval`,
      `${line('failureLimit: -2')} spec.metrics[0].failureLimit`,
      `${line('successCondition: result >')} spec.metrics[0].successCondition`,
      // count >= failureLimit + consecutiveSuccessLimit; count >= inconclusiveLimit
      `${line('count: 1')} spec.metrics[1].count`,
      `${line('count: 2', line('- name: c'))} spec.metrics[2].count`,
      // activeService != previewService, and both must exist
      `${line('activeService: bg', bg)} spec.strategy.blueGreen.activeService`,
      `${line('activeService: bg', bg)} spec.strategy.blueGreen.activeService`,
      `${line('previewService: bg', bg)} spec.strategy.blueGreen.previewService`,
      // setCanaryScale needs traffic routing
      `${line('setCanaryScale: {replicas: 1}')} spec.strategy.canary.steps[0].setCanaryScale`,
    ];
    expect(got.sort()).toEqual(want.sort());
    expect(body).toMatchObject({ valid: false, errors: want.length, warnings: 2, files: 1 });
    for (const d of body.diagnostics) expect(d.file).toBe(EVERY_ERROR);
  });

  it('warns about the VirtualService not in the files and about kinds it does not read', async () => {
    const out = await runLint([EVERY_ERROR], { json: true });
    const warnings = (JSON.parse(out.stdout) as LintJson).diagnostics.filter((d) => d.severity === 'warning');
    expect(warnings.map((d) => [d.line, d.path])).toEqual([
      [line('virtualService: {name: shop-vs}'), 'spec.strategy.canary.trafficRouting.istio.virtualService.name'],
      [line('kind: CronJob'), 'kind'],
    ]);
    expect(warnings[1]?.message).toContain('CronJob');
  });

  it('prints one line per problem as file:line path: message, then a summary', async () => {
    const out = await runLint([EVERY_ERROR]);
    expect(out.exitCode).toBe(1);
    const lines = out.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(20);
    expect(lines).toContain(
      `${EVERY_ERROR}:${line('setWeight: 150')} spec.strategy.canary.steps[0].setWeight: SetWeight needs to be between 0 and 100 (150 is out of range)`,
    );
    expect(lines.at(-1)).toBe('17 errors, 2 warnings in 1 file');
  });
});

describe('baton lint: warnings only and the --json shape', () => {
  it('exits 0 with warnings only', async () => {
    const rollout = routedCanary('      steps:\n      - setWeight: 50\n');
    // Drop the VirtualService: it may live in the cluster, so that is a warning only.
    const withoutVs = rollout.slice(0, rollout.indexOf('---\napiVersion: networking.istio.io'));
    const dir = await tempFiles({ 'rollout.yaml': withoutVs, 'other.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\ndata: {a: "1"}\n' });
    const out = await runLint([dir], { json: true });
    expect(out.exitCode).toBe(0);
    const body = JSON.parse(out.stdout) as LintJson;
    expect(Object.keys(body).sort()).toEqual(['diagnostics', 'errors', 'files', 'valid', 'warnings']);
    expect(body).toMatchObject({ valid: true, errors: 0, warnings: 2, files: 2 });
    for (const d of body.diagnostics) {
      expect(Object.keys(d).sort()).toEqual(expect.arrayContaining(['code', 'column', 'file', 'line', 'message', 'path', 'severity']));
      expect(d.severity).toBe('warning');
    }
    expect(body.diagnostics.map((d) => d.file).sort()).toEqual([join(dir, 'other.yaml'), join(dir, 'rollout.yaml')]);
  });

  it('exits 0 and says so on clean manifests', async () => {
    const dir = await tempFiles({ 'm.yaml': routedCanary('      steps:\n      - setWeight: 50\n') });
    expect(await runLint([dir])).toEqual({ exitCode: 0, stdout: '0 errors, 0 warnings in 1 file\n', stderr: '' });
  });

  it('checks managedRoutes against the VirtualService routes it names', async () => {
    const rollout = routedCanary('      steps:\n      - setWeight: 50\n').replace('routes: [primary]', 'routes: [secondary]');
    const dir = await tempFiles({ 'm.yaml': rollout });
    const out = await runLint([dir], { json: true });
    expect(out.exitCode).toBe(1);
    const errs = (JSON.parse(out.stdout) as LintJson).diagnostics.filter((d) => d.severity === 'error');
    expect(errs).toHaveLength(1);
    expect(errs[0]?.line).toBe(rollout.split('\n').findIndex((l) => l.includes('routes: [secondary]')) + 1);
    expect(errs[0]?.message).toBe("Istio VirtualService has invalid HTTP routes. Error: Route 'secondary' is not found");
  });

  it('reports a missing VirtualService route at its routes entry, naming the routes there are', async () => {
    const rollout = routedCanary('      steps:\n      - setWeight: 50\n').replace('routes: [primary]', 'routes: [secondary]');
    const dir = await tempFiles({ 'm.yaml': rollout });
    const errs = (JSON.parse((await runLint([dir], { json: true })).stdout) as LintJson).diagnostics.filter((d) => d.severity === 'error');
    expect(errs.map((d) => d.path)).toEqual(['spec.strategy.canary.trafficRouting.istio.virtualService.routes[0]']);
    expect(errs[0]?.hint).toMatch(/has routes "primary"$/);
  });
});

describe('baton lint: bad input never gives a stack trace', () => {
  it('malformed YAML: the file and line, exit 1', async () => {
    const dir = await tempFiles({ 'm.yaml': 'apiVersion: v1\nkind: Service\nmetadata: {name: x\nspec: [\n' });
    const out = await runLint([dir]);
    expect(out.exitCode).toBe(1);
    expect(out.stdout).toMatch(new RegExp(`^${join(dir, 'm.yaml').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+: `));
    expect(out.stdout + out.stderr).not.toMatch(STACK);
  });

  it('a directory with no manifests, and a missing path: named, exit 1', async () => {
    const empty = await tempFiles({ 'readme.txt': 'hello\n' });
    const none = await runLint([empty]);
    expect(none.exitCode).toBe(1);
    expect(none.stdout).toContain(`${empty}: no manifest files`);
    const missing = await runLint([join(empty, 'nope')]);
    expect(missing.exitCode).toBe(1);
    expect(missing.stdout).toContain(`${join(empty, 'nope')}: no such file or directory`);
    expect(none.stdout + missing.stdout).not.toMatch(STACK);
  });

  it('a binary file named .yaml: an error naming it, exit 1', async () => {
    const bytes = Buffer.alloc(2048);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 97 + 13) % 256;
    const dir = await tempFiles({ 'blob.yaml': bytes });
    const out = await runLint([dir], { json: true });
    expect(out.exitCode).toBe(1);
    const body = JSON.parse(out.stdout) as LintJson;
    expect(body.valid).toBe(false);
    expect(body.diagnostics.every((d) => d.file === join(dir, 'blob.yaml'))).toBe(true);
    expect(out.stdout).not.toMatch(STACK);
  });

  it('many files: problems from each, counted together', async () => {
    const dir = await tempFiles({
      'a.yaml': routedCanary('      steps:\n      - setWeight: 101\n'),
      'b.yaml': istioServices('other').replace('---\n', ''),
    });
    const out = await runLint([dir], { json: true });
    const body = JSON.parse(out.stdout) as LintJson;
    expect(body).toMatchObject({ valid: false, errors: 1, files: 2 });
    expect(body.diagnostics.find((d) => d.severity === 'error')).toMatchObject({ file: join(dir, 'a.yaml'), path: 'spec.strategy.canary.steps[0].setWeight' });
  });
});
