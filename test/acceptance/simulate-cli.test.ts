/**
 * Acceptance: the `baton simulate` command contract of issue 2 item 8: exit codes 0/1/2/64 from
 * a real `node bin/baton.js` process, the `--json` shape, the readable timeline, and invalid
 * input on stderr as lint prints it.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { baton as runBaton, type Run } from '../cli/support/cli.js';
import { runSimulate } from '../../src/cli/commands/simulate.js';
import { promTemplate, routedCanary, simulate, tempFiles } from './support.js';

/** `node bin/baton.js <args>` from the repository root. */
const baton = (args: string[]): Promise<Run> => runBaton(args, { cwd: process.cwd() });

const ROLLOUT =
  routedCanary(`      steps:
      - setWeight: 25
      - analysis: {templates: [{templateName: tpl}]}
      - pause: {}
`) + promTemplate('tpl', [{ name: 'error-rate', fields: 'successCondition: result[0] <= 0.05' }]);

const STACK = /\n\s+at [^\n]+:\d+:\d+/;

describe('node bin/baton.js simulate: exit codes', () => {
  it('0 Healthy, 1 Degraded, 2 Paused at until, 64 invalid', async () => {
    const dir = await tempFiles({
      'rollout.yaml': ROLLOUT,
      'healthy.yaml': 'update: {image: "shop:v2"}\nmetrics:\n  error-rate: [[0.01]]\nactions:\n- {at: 1m, do: promote}\n',
      'degraded.yaml': 'update: {image: "shop:v2"}\nmetrics:\n  error-rate: [[0.5]]\n',
      'paused.yaml': 'update: {image: "shop:v2"}\nmetrics:\n  error-rate: [[0.01]]\nuntil: 30m\n',
      'invalid.yaml': 'update: {image: "shop:v2"}\nuntil: soon\n',
    });
    const sim = (scenario: string): Promise<Run> => baton(['simulate', '-f', join(dir, 'rollout.yaml'), '--scenario', join(dir, scenario), '--json']);
    const [healthy, degraded, paused, invalid] = await Promise.all([sim('healthy.yaml'), sim('degraded.yaml'), sim('paused.yaml'), sim('invalid.yaml')]);
    expect([healthy.code, degraded.code, paused.code, invalid.code]).toEqual([0, 1, 2, 64]);
    expect(JSON.parse(healthy.stdout)).toMatchObject({ phase: 'Healthy', elapsedSeconds: 60 });
    expect(JSON.parse(degraded.stdout)).toMatchObject({ phase: 'Degraded', aborted: true, elapsedSeconds: 0 });
    expect(JSON.parse(paused.stdout)).toMatchObject({ phase: 'Paused', message: 'CanaryPauseStep', elapsedSeconds: 1800 });
    expect(invalid.stdout).toBe('');
    expect(invalid.stderr).toBe(`${join(dir, 'invalid.yaml')}:2 until: "soon" is not a duration (use 30m, 24h)\n`);
  });

  it('64 for invalid manifests, with the errors on stderr as lint prints them', async () => {
    const dir = await tempFiles({ 'rollout.yaml': ROLLOUT.replace('setWeight: 25', 'setWeight: -5'), 's.yaml': 'update: {image: "shop:v2"}\n' });
    const out = await runSimulate({ files: [join(dir, 'rollout.yaml')], scenario: join(dir, 's.yaml') });
    expect(out.exitCode).toBe(64);
    expect(out.stdout).toBe('');
    const line = ROLLOUT.split('\n').findIndex((l) => l.includes('setWeight: 25')) + 1;
    expect(out.stderr).toBe(`${join(dir, 'rollout.yaml')}:${line} spec.strategy.canary.steps[0].setWeight: SetWeight needs to be between 0 and 100 (-5 is out of range)\n`);
  });
});

describe('simulate: still Progressing at until', () => {
  it('exits 2 with the phase and message of the moment', async () => {
    const { exitCode, result } = await simulate(ROLLOUT, 'update: {image: "shop:v2"}\nreadySeconds: 60\nuntil: 30s\n');
    expect(exitCode).toBe(2);
    expect(result).toMatchObject({ phase: 'Progressing', message: 'more replicas need to be updated', stepIndex: 0, canaryWeight: 0, elapsedSeconds: 30 });
  });
});

describe('simulate --json shape', () => {
  it('one object with the fields of the contract; timeline entries carry t and type', async () => {
    const { exitCode, stdout, result } = await simulate(ROLLOUT, 'update: {image: "shop:v2"}\nmetrics:\n  error-rate: [[0.01]]\nactions:\n- {at: 90s, do: promote}\n');
    expect(exitCode).toBe(0);
    expect(Object.keys(JSON.parse(stdout) as object).sort()).toEqual(
      ['aborted', 'canaryWeight', 'elapsedSeconds', 'message', 'phase', 'rollout', 'stepCount', 'stepIndex', 'timeline'].sort(),
    );
    expect(result).toMatchObject({ rollout: 'shop', phase: 'Healthy', message: '', aborted: false, stepIndex: 3, stepCount: 3, canaryWeight: 0, elapsedSeconds: 90 });
    for (const e of result.timeline) {
      expect(typeof e.t).toBe('number');
      expect(typeof e.type).toBe('string');
    }
    // Entries in time order.
    const ts = result.timeline.map((e) => e.t);
    expect(ts).toEqual([...ts].sort((a, b) => a - b));
    const byType = (type: string): Record<string, unknown> | undefined => result.timeline.find((e) => e.type === type);
    expect(byType('WeightChanged')).toEqual({ t: 0, type: 'WeightChanged', canary: 25, stable: 75 });
    expect(byType('AnalysisRunStarted')).toEqual({ t: 0, type: 'AnalysisRunStarted', run: expect.stringMatching(/^shop-[0-9a-z]+-2-1$/) as unknown, kind: 'Step' });
    expect(byType('Measurement')).toEqual({ t: 0, type: 'Measurement', run: expect.any(String) as unknown, metric: 'error-rate', phase: 'Successful', value: '[0.01]' });
    expect(byType('AnalysisRunCompleted')).toEqual({ t: 0, type: 'AnalysisRunCompleted', run: expect.any(String) as unknown, phase: 'Successful', message: '' });
    expect(byType('Paused')).toEqual({ t: 0, type: 'Paused', reason: 'CanaryPauseStep' });
    expect(byType('Promoted')).toEqual({ t: 90, type: 'Promoted', revision: 2, reason: 'Completed all 3 canary steps' });
  });
});

describe('simulate without --json', () => {
  it('prints a readable timeline and the outcome', async () => {
    const { exitCode, stdout } = await simulate(ROLLOUT, 'update: {image: "shop:v2"}\nmetrics:\n  error-rate: [[0.5]]\n', { json: false });
    expect(exitCode).toBe(1);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('Simulating shop: shop:v1 -> shop:v2');
    expect(lines).toContain('      0s  WeightChanged        canary 25% / stable 75%');
    expect(lines).toContain('      0s  Measurement          error-rate Failed [0.5]');
    expect(lines.at(-1)).toBe(
      'Degraded after 0s, step 0/3, canary weight 0%: RolloutAborted: Rollout aborted update to revision 2: Step-based analysis phase error/failed: Metric "error-rate" assessed Failed due to failed (1) > failureLimit (0)',
    );
  });
});

describe('simulate: invalid input is exit 64 with a message naming it', () => {
  const cases: [string, Record<string, string>, string, RegExp][] = [
    ['no Rollout of that name', { 'm.yaml': ROLLOUT }, 'rollout: cart\nupdate: {image: "x:v2"}\n', /rollout: no Rollout named "cart" in the files \(found: shop\)/],
    [
      'several Rollouts and none named',
      { 'm.yaml': ROLLOUT, 'n.yaml': ROLLOUT.slice(0, ROLLOUT.indexOf('---')).replace('name: shop}', 'name: cart}') },
      'update: {image: "x:v2"}\n',
      /rollout: the files hold 2 Rollouts/,
    ],
    ['an unknown container', { 'm.yaml': ROLLOUT }, 'update: {image: "x:v2", container: sidecar}\n', /no container "sidecar" in the template \(has shop\)/],
    ['a bad scripted result', { 'm.yaml': ROLLOUT }, 'update: {image: "x:v2"}\nmetrics:\n  m: [{job: maybe}]\n', /metrics\.m\[0\]\.job: "maybe" is not a job outcome/],
    ['scenario YAML that does not parse', { 'm.yaml': ROLLOUT }, 'update: {image: "x:v2"\n', /scenario\.yaml:\d+: /],
    ['an unknown action and field', { 'm.yaml': ROLLOUT }, 'update: {image: "x:v2"}\nactions:\n- {at: 1m, do: rollback}\nwhen: now\n', /scenario\.yaml:3 actions\[0\]\.do: "rollback" is not an action[\s\S]*scenario\.yaml:4 when: unknown field "when"/],
  ];
  it.each(cases)('%s', async (_what, files, scenario, message) => {
    const dir = await tempFiles(files);
    const scen = await tempFiles({ 'scenario.yaml': scenario });
    const out = await runSimulate({ files: [dir], scenario: join(scen, 'scenario.yaml'), json: true });
    expect(out.exitCode).toBe(64);
    expect(out.stdout).toBe('');
    expect(out.stderr).toMatch(message);
    expect(out.stderr).not.toMatch(STACK);
  });

  it('a missing manifest path and a missing scenario file', async () => {
    const dir = await tempFiles({ 'm.yaml': ROLLOUT, 's.yaml': 'update: {image: "x:v2"}\n' });
    const noManifests = await runSimulate({ files: [join(dir, 'nope')], scenario: join(dir, 's.yaml') });
    expect(noManifests).toEqual({ exitCode: 64, stdout: '', stderr: `baton: ${join(dir, 'nope')}: no such file or directory\n` });
    const noScenario = await runSimulate({ files: [dir], scenario: join(dir, 'nope.yaml') });
    expect(noScenario.exitCode).toBe(64);
    expect(noScenario.stderr).toContain(join(dir, 'nope.yaml'));
  });
});
