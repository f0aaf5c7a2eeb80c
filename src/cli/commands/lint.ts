/**
 * `baton lint <file|dir>... [--json]`: parse, validate and cross-check manifests; print every
 * problem. Exit 0 when valid (warnings allowed), 1 when not.
 */
import type { Command } from 'commander';
import { readManifestFiles } from '../../adapters/fs/read-manifest-files.js';
import { BatonError } from '../../core/errors.js';
import { formatDiagnostic, hasErrors, type Diagnostic } from '../../core/spec/diagnostics.js';
import { parseManifests, type ManifestFile } from '../../core/spec/load.js';
import { plural } from '../format/text.js';

/** `--json`: print one JSON object instead of one line per problem. */
export interface LintOptions {
  json?: boolean;
}

/** What `baton lint` prints and its exit code: 0 valid (warnings allowed), 1 invalid. */
export interface LintResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs the lint and returns what the command prints, so it can be tested without a process. */
export async function runLint(paths: readonly string[], options: LintOptions = {}): Promise<LintResult> {
  let files: ManifestFile[] = [];
  const diagnostics: Diagnostic[] = [];
  try {
    files = await readManifestFiles(paths);
  } catch (e) {
    if (!(e instanceof BatonError)) throw e;
    const file = typeof e.details.path === 'string' ? e.details.path : '';
    diagnostics.push({ severity: 'error', code: e.code, file, line: 0, column: 0, path: '', message: e.message.startsWith(`${file}: `) ? e.message.slice(file.length + 2) : e.message });
  }
  if (diagnostics.length === 0 && files.length === 0) {
    diagnostics.push({ severity: 'error', code: 'no-manifests', file: paths.join(' '), line: 0, column: 0, path: '', message: 'no manifest files (*.yaml, *.yml, *.json) found' });
  }
  if (files.length > 0) diagnostics.push(...parseManifests(files).diagnostics);

  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = diagnostics.length - errors;
  const valid = !hasErrors(diagnostics);
  const exitCode = valid ? 0 : 1;
  if (options.json) {
    const body = { valid, errors, warnings, files: files.length, diagnostics };
    return { exitCode, stdout: `${JSON.stringify(body, null, 2)}\n`, stderr: '' };
  }
  const lines = diagnostics.map(formatDiagnostic);
  lines.push(`${plural(errors, 'error')}, ${plural(warnings, 'warning')} in ${plural(files.length, 'file')}`);
  return { exitCode, stdout: `${lines.join('\n')}\n`, stderr: '' };
}

/** Adds `baton lint` to the program. */
export function registerLintCommand(program: Command): void {
  program
    .command('lint')
    .description('Validate Rollout, AnalysisTemplate, Service, Deployment and Istio manifests; report every problem with file and line')
    .argument('<paths...>', 'manifest files or directories (*.yaml, *.yml, *.json, recursively)')
    .option('--json', 'print {valid, errors, warnings, diagnostics} as JSON')
    .action(async (paths: string[], opts: LintOptions) => {
      const result = await runLint(paths, opts);
      process.stdout.write(result.stdout);
      process.stderr.write(result.stderr);
      process.exitCode = result.exitCode;
    });
}
