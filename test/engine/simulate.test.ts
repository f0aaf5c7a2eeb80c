/**
 * `baton simulate` end to end through runSimulate (the CLI's own function): the seed design's
 * frontend rollout, good and bad, and the exit-code contract.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSimulate } from '../../src/cli/commands/simulate.js';
import type { SimulationResult } from '../../src/engine/simulate.js';

const TBYTE = 'examples/tbyte/manifests';

async function scenarioFile(text: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'baton-sim-'));
  const file = join(dir, 'scenario.yaml');
  await writeFile(file, text);
  return file;
}

async function run(scenario: string, files = [TBYTE]): Promise<{ exitCode: number; result: SimulationResult; stderr: string }> {
  const out = await runSimulate({ files, scenario: await scenarioFile(scenario), json: true });
  return { exitCode: out.exitCode, stderr: out.stderr, result: out.exitCode === 64 ? (undefined as never) : (JSON.parse(out.stdout) as SimulationResult) };
}

const weights = (r: SimulationResult): number[] => r.timeline.filter((e) => e.type === 'WeightChanged').map((e) => e.canary as number);

describe('simulate the seed frontend rollout', () => {
  it('with good metrics ends Healthy at t=180 through weights 10, 25, 50, 75, 100', async () => {
    const { exitCode, result } = await run(`
rollout: tbyte-microservices-frontend
update: {image: "tbyte/frontend:v2"}
metrics:
  pod-ready-ratio: [[1]]
  error-rate: [[0.01]]
  response-time-p95: [[0.12]]
  canary-error-rate: [[0]]
`);
    expect(exitCode).toBe(0);
    expect(result.phase).toBe('Healthy');
    expect(result.aborted).toBe(false);
    expect(result.elapsedSeconds).toBe(180);
    expect(result.stepCount).toBe(9);
    expect(result.stepIndex).toBe(9);
    expect(weights(result)).toEqual([10, 25, 50, 75, 100]);
    const started = result.timeline.find((e) => e.type === 'AnalysisRunStarted' && e.kind === 'Step');
    expect(started).toMatchObject({ t: 30, kind: 'Step' });
    expect(result.timeline.find((e) => e.type === 'AnalysisRunCompleted' && e.run === started?.run)).toMatchObject({ t: 90, phase: 'Successful' });
    expect(result.timeline.find((e) => e.type === 'Promoted')).toMatchObject({ t: 180, revision: 2 });
    // The seed's three metrics: 3 measurements each.
    const measurements = result.timeline.filter((e) => e.type === 'Measurement');
    expect(measurements.filter((m) => m.metric === 'pod-ready-ratio').map((m) => m.t)).toEqual([30, 40, 50]);
    expect(measurements.filter((m) => m.metric === 'error-rate').map((m) => m.t)).toEqual([30, 60, 90]);
    expect(measurements.find((m) => m.metric === 'error-rate')).toMatchObject({ phase: 'Successful', value: '[0.01]' });
  });

  it('with a rising error rate aborts at t=90 with Argo\'s message and traffic back on stable', async () => {
    const { exitCode, result } = await run(`
rollout: tbyte-microservices-frontend
update: {image: "tbyte/frontend:v2"}
metrics:
  pod-ready-ratio: [[1]]
  error-rate: [[0.01], [0.09]]
  response-time-p95: [[0.12]]
  canary-error-rate: [[0]]
`);
    expect(exitCode).toBe(1);
    expect(result.phase).toBe('Degraded');
    expect(result.aborted).toBe(true);
    expect(result.elapsedSeconds).toBe(90);
    expect(result.canaryWeight).toBe(0);
    const aborted = result.timeline.find((e) => e.type === 'Aborted');
    expect(aborted?.t).toBe(90);
    expect(aborted?.message).toBe(
      'Step-based analysis phase error/failed: Metric "error-rate" assessed Failed due to failed (2) > failureLimit (1)',
    );
    expect(result.message).toContain('RolloutAborted: Rollout aborted update to revision 2');
    expect(weights(result)).toEqual([10, 0]);
  });

  it('stays Paused at an indefinite pause until promoted, and exits 2 when nobody promotes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'baton-sim-'));
    await writeFile(
      join(dir, 'rollout.yaml'),
      `apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: shop}
spec:
  replicas: 4
  selector: {matchLabels: {app: shop}}
  template:
    metadata: {labels: {app: shop}}
    spec:
      containers: [{name: shop, image: "shop:v1"}]
  strategy:
    canary:
      steps:
      - setWeight: 25
      - pause: {}
      - setWeight: 50
`,
    );
    const stuck = await run(`update: {image: "shop:v2"}\nuntil: 1h\n`, [dir]);
    expect(stuck.exitCode).toBe(2);
    expect(stuck.result.phase).toBe('Paused');
    expect(stuck.result.elapsedSeconds).toBe(3600);

    const promoted = await run(`update: {image: "shop:v2"}\nactions:\n- {at: 45s, do: promote}\n`, [dir]);
    expect(promoted.exitCode).toBe(0);
    expect(promoted.result.phase).toBe('Healthy');
    expect(weights(promoted.result)).toEqual([25, 50, 100]);
    expect(promoted.result.elapsedSeconds).toBe(45);
  });

  it('rejects a bad scenario with exit 64 and the line of each problem', async () => {
    const out = await runSimulate({
      files: [TBYTE],
      scenario: await scenarioFile(`update: {image: "x:v2"}\nreadySeconds: soon\nactions:\n- {at: 30x, do: promote}\n- {at: 1m, do: fly}\n`),
      json: true,
    });
    expect(out.exitCode).toBe(64);
    expect(out.stderr).toMatch(/scenario\.yaml:2 readySeconds:/);
    expect(out.stderr).toMatch(/scenario\.yaml:4 actions\[0\]\.at:/);
    expect(out.stderr).toMatch(/scenario\.yaml:5 actions\[1\]\.do:/);
  });

  it('rejects invalid manifests with exit 64, printed as lint prints them', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'baton-sim-'));
    await writeFile(join(dir, 'bad.yaml'), `apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata: {name: shop}\nspec:\n  selector: {matchLabels: {app: shop}}\n  template:\n    metadata: {labels: {app: shop}}\n    spec: {containers: [{name: shop, image: "shop:v1"}]}\n  strategy:\n    canary:\n      steps:\n      - setWeight: 150\n`);
    const out = await runSimulate({ files: [dir], scenario: await scenarioFile(`update: {image: "shop:v2"}\n`), json: true });
    expect(out.exitCode).toBe(64);
    expect(out.stderr).toMatch(/bad\.yaml:12 spec\.strategy\.canary\.steps\[0\]\.setWeight/);
  });
});

describe('simulate: spec edits mid-rollout', () => {
  const manifests = `apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: shop}
spec:
  replicas: 2
  selector: {matchLabels: {app: shop}}
  template:
    metadata: {labels: {app: shop}}
    spec: {containers: [{name: shop, image: "shop:v1"}]}
  strategy:
    canary:
      steps:
      - setWeight: 50
      - analysis: {templates: [{templateName: rate}]}
      - pause: {duration: 1m}
      - analysis: {templates: [{templateName: rate}]}
---
apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata: {name: rate}
spec:
  args: [{name: limit, value: "0.05"}]
  metrics:
  - name: errors
    count: 1
    successCondition: "result[0] < {{args.limit}}"
    failureCondition: "result[0] >= 0.5"
    provider: {prometheus: {address: "http://127.0.0.1:9090", query: errors}}
`;

  it('an edit of a template arg changes the runs started after it; an edit that cannot be made changes nothing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'baton-sim-'));
    await writeFile(join(dir, 'm.yaml'), manifests);
    // 0.1 is Inconclusive under limit 0.05 (neither condition true), Successful under 0.2.
    const { exitCode, result } = await run(
      `update: {image: "shop:v2"}
metrics:
  errors: [[0.01], [0.1]]
actions:
- {at: 10s, do: edit, kind: AnalysisTemplate, name: nope, set: {spec.args: []}}
- {at: 30s, do: edit, kind: AnalysisTemplate, name: rate, set: {"spec.args[0].value": "0.2"}}
`,
      [dir],
    );
    expect(exitCode).toBe(0);
    expect(result.timeline.filter((e) => e.type === 'ActionFailed')).toMatchObject([{ t: 10, action: 'edit', message: 'no AnalysisTemplate "nope" in the files to edit' }]);
    expect(result.timeline.filter((e) => e.type === 'Measurement').map((e) => [e.t, e.phase])).toEqual([[0, 'Successful'], [60, 'Successful']]);
    expect(result.timeline.find((e) => e.type === 'Promoted')).toMatchObject({ t: 60 });
  });

  it('without the edit, the same script leaves the second run Inconclusive and the rollout paused', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'baton-sim-'));
    await writeFile(join(dir, 'm.yaml'), manifests);
    const { exitCode, result } = await run(`update: {image: "shop:v2"}
metrics:
  errors: [[0.01], [0.1]]
until: 10m
`, [dir]);
    expect(exitCode).toBe(2);
    expect(result.message).toBe('InconclusiveAnalysisRun');
  });
});
