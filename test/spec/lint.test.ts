/**
 * `baton lint` on fixture files: the real fs adapter, the real parser, the command's output.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { readManifestFiles } from '../../src/adapters/fs/read-manifest-files.js';
import { registerLintCommand, runLint } from '../../src/cli/commands/lint.js';
import { BatonError } from '../../src/core/errors.js';
import { lineOf } from './kit.js';

const FIXTURES = 'test/fixtures/manifests';
const temps: string[] = [];
afterEach(async () => {
  await Promise.all(temps.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'baton-lint-'));
  temps.push(dir);
  return dir;
}

interface JsonReport {
  valid: boolean;
  errors: number;
  warnings: number;
  files: number;
  diagnostics: { severity: string; code: string; file: string; line: number; path: string; message: string }[];
}

describe('baton lint', () => {
  it('passes valid manifests with exit 0 and a summary', async () => {
    const r = await runLint([`${FIXTURES}/valid`]);
    expect(r.stdout).toBe('0 errors, 0 warnings in 4 files\n');
    expect(r.exitCode).toBe(0);
  });

  it("passes the seed design's manifests completed with Services, and a blue/green rollout", async () => {
    const seed = await runLint([`${FIXTURES}/seed`]);
    expect(seed.stdout).toBe('0 errors, 0 warnings in 4 files\n');
    expect(seed.exitCode).toBe(0);
    const bg = await runLint([`${FIXTURES}/blue-green/rollout.yaml`]);
    expect(bg.stdout).toBe('0 errors, 0 warnings in 1 file\n');
  });

  it('reports every problem of a file at once, each with its line and path', async () => {
    const file = `${FIXTURES}/invalid/multi-error.yaml`;
    const text = await readFile(file, 'utf8');
    const r = await runLint([file]);
    expect(r.exitCode).toBe(1);
    const lines = r.stdout.trimEnd().split('\n');
    const at = (needle: string, nth = 1) => `${file}:${lineOf(text, needle, nth)}`;
    expect(lines).toEqual([
      `${at('labels:')} spec.template.metadata.labels: \`selector\` does not match template \`labels\` (give the template the labels spec.selector.matchLabels asks for)`,
      `${at('canaryService:')} spec.strategy.canary.canaryService: Service "broken-svc" not found in the given files (add a v1 Service named broken-svc selecting the Rollout's pods)`,
      `${at('stableService:')} spec.strategy.canary.stableService: This rollout uses the same service for the stable and canary services, but two different services are required.`,
      `${at('stableService:')} spec.strategy.canary.stableService: Service "broken-svc" not found in the given files (add a v1 Service named broken-svc selecting the Rollout's pods)`,
      `${at('maxSurge: 0')} spec.strategy.canary.maxSurge: MaxSurge and MaxUnavailable both can not be zero (let one of them be above 0)`,
      `${at('setWeight: 120')} spec.strategy.canary.steps[0].setWeight: SetWeight needs to be between 0 and 100 (120 is out of range)`,
      `${at('duration: 30x')} spec.strategy.canary.steps[1].pause.duration: "30x" is not a duration (use 30s, 1m, 1h)`,
      `${at('- {}')} spec.strategy.canary.steps[2]: Step must have one of the following set: experiment, setWeight, setCanaryScale or pause (a step is one of setWeight, pause, analysis, setCanaryScale, setHeaderRoute, setMirrorRoute)`,
      `${at('setWeight: 10')} spec.strategy.canary.steps[3]: Step must have one of the following set: experiment, setWeight, setCanaryScale or pause; this step has setWeight and pause (split it into one step per kind)`,
      `${at('templateName: missing-template')} spec.strategy.canary.steps[4].analysis.templates[0].templateName: AnalysisTemplate "missing-template" not found in the given files (add an AnalysisTemplate named missing-template)`,
      `${at('setCanaryScale')} spec.strategy.canary.steps[5].setCanaryScale: SetCanaryScale requires TrafficRouting to be set (add spec.strategy.canary.trafficRouting)`,
      `${at('setHeaderRoute')} spec.strategy.canary.steps[6].setHeaderRoute: SetHeaderRoute requires TrafficRouting, supports Istio and ALB and Apisix (Baton routes headers through trafficRouting.istio)`,
      `${at('- name: rate')} spec.metrics[0].interval: interval must be specified when count > 1 (add interval: 30s)`,
      `${at('failureLimit: -2')} spec.metrics[0].failureLimit: failureLimit must be >= -1`,
      `${at('query: up{job')} spec.metrics[0].provider.prometheus.query: {{args.job}} is not declared in spec.args (add - name: job to spec.args)`,
      `${at('- name: rate', 2)} spec.metrics[1].name: duplicate metric name "rate" (metric names must be unique in a template)`,
      `${at('interval: 1q')} spec.metrics[1].interval: "1q" is not a duration (use 30s, 1m, 1h)`,
      `${at('provider:', 2)} spec.metrics[1].provider: multiple providers specified: prometheus, web (a metric has exactly one provider)`,
      '18 errors, 0 warnings in 1 file',
    ]);
  });

  it('prints {valid, errors, warnings, diagnostics} with --json', async () => {
    const r = await runLint([`${FIXTURES}/invalid`, `${FIXTURES}/warnings-only`], { json: true });
    expect(r.exitCode).toBe(1);
    const report = JSON.parse(r.stdout) as JsonReport;
    expect(report).toMatchObject({ valid: false, errors: 18, warnings: 1, files: 2 });
    expect(report.diagnostics).toHaveLength(19);
    expect(report.diagnostics.at(-1)).toEqual({
      severity: 'warning',
      code: 'unknown-kind',
      file: `${FIXTURES}/warnings-only/config.yaml`,
      line: 2,
      column: 7,
      path: 'kind',
      message: 'ConfigMap (v1) is not a kind Baton reads; it is ignored',
    });
  });

  it('exits 0 when there are only warnings, and says so', async () => {
    const r = await runLint([`${FIXTURES}/warnings-only`]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe(`${FIXTURES}/warnings-only/config.yaml:2 kind: warning: ConfigMap (v1) is not a kind Baton reads; it is ignored\n0 errors, 1 warning in 1 file\n`);
  });

  it('reports YAML syntax errors with their line, next to the documents that did parse', async () => {
    const r = await runLint([`${FIXTURES}/syntax/broken.yaml`], { json: true });
    const report = JSON.parse(r.stdout) as JsonReport;
    expect(r.exitCode).toBe(1);
    expect(report.diagnostics.length).toBeGreaterThan(0);
    expect(report.diagnostics.every((d) => d.code === 'yaml-syntax' && d.line >= 11)).toBe(true);
  });

  it('names a missing path without a stack trace', async () => {
    const r = await runLint([`${FIXTURES}/valid`, 'no/such/manifests.yaml']);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toBe('no/such/manifests.yaml: no such file or directory\n1 error, 0 warnings in 0 files\n');
    expect(r.stdout + r.stderr).not.toMatch(/\n\s+at /);
    const json = JSON.parse((await runLint(['no/such/dir'], { json: true })).stdout) as JsonReport;
    expect(json.diagnostics[0]).toMatchObject({ code: 'manifest-not-found', file: 'no/such/dir' });
  });

  it('warns about a Prometheus query that does not parse, and leaves {{args}} queries alone', async () => {
    const dir = await tempDir();
    const file = join(dir, 'analysis.yaml');
    await writeFile(
      file,
      [
        'apiVersion: argoproj.io/v1alpha1',
        'kind: AnalysisTemplate',
        'metadata: {name: q}',
        'spec:',
        '  args: [{name: job, value: web}]',
        '  metrics:',
        '  - name: bad',
        '    provider: {prometheus: {address: "http://p:9090", query: "sum(rate(http_requests_total[5m]"}}',
        '  - name: templated',
        '    provider: {prometheus: {address: "http://p:9090", query: "up{job=\\"{{args.job}}\\"} == ["}}',
        '',
      ].join('\n'),
    );
    const r = await runLint([file], { json: true });
    const report = JSON.parse(r.stdout) as JsonReport;
    expect(r.exitCode).toBe(0);
    expect(report.diagnostics.map((d) => [d.severity, d.code, d.path, d.line])).toEqual([['warning', 'invalid-query', 'spec.metrics[0].provider.prometheus.query', 8]]);
    expect(report.diagnostics[0]?.message).toMatch(/^does not parse as PromQL: 1:\d+: parse error: /);
  });

  it('fails on a directory with no manifests', async () => {
    const dir = await tempDir();
    const r = await runLint([dir]);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain('no manifest files (*.yaml, *.yml, *.json) found');
  });
});

describe('examples', () => {
  it('examples/tbyte lints without errors', async () => {
    const r = await runLint(['examples/tbyte'], { json: true });
    const report = JSON.parse(r.stdout) as JsonReport;
    expect(report.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(r.exitCode).toBe(0);
  });

  it('skips non-manifest YAML found in a directory quietly, but names one given explicitly', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'scenario.yaml'), 'rollout: shop\nuntil: 24h\n');
    await writeFile(join(dir, 'svc.yaml'), 'apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {}\n');
    expect((await runLint([dir])).stdout).toBe('0 errors, 0 warnings in 2 files\n');
    const named = await runLint([join(dir, 'scenario.yaml')]);
    expect(named.stdout).toBe(`${join(dir, 'scenario.yaml')}:1: warning: no apiVersion or kind: not a Kubernetes manifest, ignored\n0 errors, 1 warning in 1 file\n`);
    expect(named.exitCode).toBe(0);
  });
});

describe('registerLintCommand', () => {
  it('adds `lint <paths...> [--json]` that prints the report and sets the exit code', async () => {
    const program = new Command('baton').exitOverride();
    registerLintCommand(program);
    const out: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out.push(String(chunk));
      return true;
    });
    const before = process.exitCode;
    try {
      await program.parseAsync(['node', 'baton', 'lint', '--json', `${FIXTURES}/invalid/multi-error.yaml`]);
      expect(process.exitCode).toBe(1);
    } finally {
      write.mockRestore();
      process.exitCode = before;
    }
    expect(JSON.parse(out.join('')) as JsonReport).toMatchObject({ valid: false, errors: 18 });
  });
});

describe('readManifestFiles', () => {
  it('walks directories recursively for *.yaml, *.yml and *.json, sorted, skipping node_modules and non-manifests', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'nested'));
    await mkdir(join(dir, 'node_modules'));
    await mkdir(join(dir, '.hidden'));
    await writeFile(join(dir, 'b.yaml'), 'b');
    await writeFile(join(dir, 'a.yml'), 'a');
    await writeFile(join(dir, 'nested', 'c.json'), '{}');
    await writeFile(join(dir, 'README.md'), '# no');
    await writeFile(join(dir, 'package.json'), '{}');
    await writeFile(join(dir, 'node_modules', 'x.yaml'), 'x');
    await writeFile(join(dir, '.hidden', 'y.yaml'), 'y');
    const files = await readManifestFiles([dir]);
    expect(files).toEqual([
      { path: join(dir, 'a.yml'), text: 'a', fromDirectory: true },
      { path: join(dir, 'b.yaml'), text: 'b', fromDirectory: true },
      { path: join(dir, 'nested', 'c.json'), text: '{}', fromDirectory: true },
    ]);
  });

  it('reads a file named explicitly whatever its extension, once', async () => {
    const dir = await tempDir();
    const file = join(dir, 'rollout.txt');
    await writeFile(file, 'text');
    expect(await readManifestFiles([file, file])).toEqual([{ path: file, text: 'text' }]);
  });

  it('throws manifest-not-found naming the path', async () => {
    const err = await readManifestFiles(['does/not/exist']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BatonError);
    expect(err).toMatchObject({ code: 'manifest-not-found', details: { path: 'does/not/exist' } });
    expect((err as Error).message).toContain('does/not/exist');
  });
});
