/**
 * `baton simulate -f <file|dir>... --scenario <scenario.yaml> [--rollout NAME] [--json]`
 *
 * Exit codes (a contract tools depend on): 0 Healthy, 1 Degraded, 2 still Progressing or Paused
 * at `until`, 64 invalid manifests or scenario (the errors on stderr, as lint prints them).
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { parseScript } from '../../adapters/metrics/scripted/index.js';
import { readManifestFiles } from '../../adapters/fs/read-manifest-files.js';
import { BatonError } from '../../core/errors.js';
import { applyUpdate, parseScenario } from '../../core/simulate/scenario.js';
import { formatDiagnostic, hasErrors, type Diagnostic } from '../../core/spec/diagnostics.js';
import { formatDuration } from '../../core/spec/duration.js';
import { parseManifests } from '../../core/spec/load.js';
import type { Rollout } from '../../core/spec/types.js';
import { describeEvent } from '../../engine/events.js';
import { simulate, type SimulationResult, type TimelineEntry } from '../../engine/simulate.js';

export interface SimulateOptions {
  files: string[];
  scenario: string;
  rollout?: string;
  json?: boolean;
}

export const EXIT_INVALID = 64;

/** Runs a simulation and renders it; the command prints what this returns. */
export async function runSimulate(opts: SimulateOptions): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const invalid = (diagnostics: Diagnostic[]): { exitCode: number; stdout: string; stderr: string } => ({
    exitCode: EXIT_INVALID,
    stdout: '',
    stderr: diagnostics.map(formatDiagnostic).join('\n') + '\n',
  });
  let files;
  try {
    files = await readManifestFiles(opts.files);
  } catch (e) {
    if (e instanceof BatonError) return { exitCode: EXIT_INVALID, stdout: '', stderr: `baton: ${e.message}\n` };
    throw e;
  }
  const { set, diagnostics } = parseManifests(files);
  if (hasErrors(diagnostics)) return invalid(diagnostics.filter((d) => d.severity === 'error'));

  let scenarioText: string;
  try {
    scenarioText = await readFile(opts.scenario, 'utf8');
  } catch (e) {
    const reason = (e as NodeJS.ErrnoException).code === 'EISDIR' ? 'is a directory' : (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : e instanceof Error ? e.message : String(e);
    return { exitCode: EXIT_INVALID, stdout: '', stderr: `baton: cannot read scenario ${opts.scenario}: ${reason}\n` };
  }
  const parsed = parseScenario(opts.scenario, scenarioText);
  if (!parsed.scenario) return invalid(parsed.diagnostics);
  const scenario = parsed.scenario;
  const script = parseScript(scenario.metrics);
  if ('errors' in script) {
    return invalid(script.errors.map((message) => ({ severity: 'error', code: 'invalid-scenario', file: opts.scenario, line: 0, column: 0, path: '', message })));
  }

  const problem = (path: string, message: string, hint?: string): { exitCode: number; stdout: string; stderr: string } =>
    invalid([{ severity: 'error', code: 'invalid-scenario', file: opts.scenario, line: 0, column: 0, path, message, ...(hint ? { hint } : {}) }]);
  const wanted = opts.rollout ?? scenario.rollout;
  const names = set.rollouts.map((r) => r.metadata.name);
  let rollout: Rollout | undefined;
  if (wanted) {
    rollout = set.rollouts.find((r) => r.metadata.name === wanted);
    if (!rollout) return problem('rollout', `no Rollout named "${wanted}" in the files`, names.length ? `found: ${names.join(', ')}` : 'the files hold no Rollout');
  } else if (set.rollouts.length === 1) {
    rollout = set.rollouts[0];
  } else {
    return problem('rollout', set.rollouts.length ? `the files hold ${set.rollouts.length} Rollouts` : 'the files hold no Rollout', names.length ? `name one with --rollout or "rollout:" (${names.join(', ')})` : undefined);
  }
  if (!rollout) return problem('rollout', 'no Rollout to simulate');
  const template = rollout.spec.template;
  if (!template) return problem('rollout', `Rollout "${rollout.metadata.name}" has no pod template`, 'its workloadRef Deployment must be in the given files');
  const changed = applyUpdate(template, scenario.update);
  if ('error' in changed) return problem('update', changed.error);
  const updated: Rollout = { ...rollout, spec: { ...rollout.spec, template: changed.template } };

  const result = await simulate({ manifests: set, rollout, updated, scenario, script: script.script, files });
  const exitCode = result.phase === 'Healthy' ? 0 : result.phase === 'Degraded' ? 1 : 2;
  const stdout = opts.json ? JSON.stringify(result, null, 2) + '\n' : renderTimeline(result, template.spec.containers[0]?.image, changed.template.spec.containers[0]?.image);
  return { exitCode, stdout, stderr: '' };
}

function renderTimeline(result: SimulationResult, from: string | undefined, to: string | undefined): string {
  const lines = [`Simulating ${result.rollout}: ${from ?? '?'} -> ${to ?? '?'}`];
  for (const e of result.timeline) lines.push(`${formatT(e.t).padStart(8)}  ${e.type.padEnd(20)} ${describe(e)}`.trimEnd());
  lines.push('');
  const step = result.stepCount ? `, step ${result.stepIndex}/${result.stepCount}` : '';
  lines.push(`${result.phase} after ${formatDuration(result.elapsedSeconds * 1000)}${step}, canary weight ${result.canaryWeight}%${result.message ? `: ${result.message}` : ''}`);
  return lines.join('\n') + '\n';
}

function formatT(t: number): string {
  return formatDuration(t * 1000);
}

function describe(e: TimelineEntry): string {
  const { t: _t, ...rest } = e;
  return describeEvent(rest);
}

export function registerSimulateCommand(program: Command): void {
  program
    .command('simulate')
    .description('Run a rollout on a virtual clock with scripted metrics and print its timeline')
    .requiredOption('-f, --filename <path...>', 'manifest files or directories')
    .requiredOption('--scenario <file>', 'scenario YAML (update, readySeconds, metrics, actions, pods, until)')
    .option('--rollout <name>', 'the Rollout to simulate when the files hold several')
    .option('--json', 'print one JSON object')
    .action(async (o: { filename: string[]; scenario: string; rollout?: string; json?: boolean }) => {
      const out = await runSimulate({ files: o.filename, scenario: o.scenario, ...(o.rollout ? { rollout: o.rollout } : {}), json: !!o.json });
      process.stdout.write(out.stdout);
      process.stderr.write(out.stderr);
      process.exitCode = out.exitCode;
    });
}
