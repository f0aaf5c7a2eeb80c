/**
 * `baton apply -f <file|dir>...`: lint the manifests here first (errors as `baton lint` prints
 * them, exit 64, nothing sent), then send the whole set to the controller, which applies what
 * changed. Prints `applied generation N` or `unchanged (generation N)` and the lint warnings.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { readManifestFiles } from '../../adapters/fs/read-manifest-files.js';
import { BatonError } from '../../core/errors.js';
import { formatDiagnostic } from '../../core/spec/diagnostics.js';
import { parseManifests, type ManifestFile } from '../../core/spec/load.js';
import { addConnectionOptions, addOutputOption, clientFor, type ConnectionOptions } from '../client.js';
import { formatJson, plural } from '../format/text.js';
// Invalid manifests: nothing is sent, with the exit code `baton simulate` uses for them.
import { EXIT_INVALID } from './simulate.js';

interface ApplyOptions extends ConnectionOptions {
  filename: string[];
  output?: 'json';
}

async function runApply(opts: ApplyOptions): Promise<number> {
  let files: ManifestFile[];
  try {
    files = await readManifestFiles(opts.filename);
  } catch (e) {
    if (!(e instanceof BatonError)) throw e;
    process.stderr.write(`baton: ${e.message}\n`);
    return EXIT_INVALID;
  }
  if (files.length === 0) {
    process.stderr.write(`baton: ${opts.filename.join(' ')}: no manifest files (*.yaml, *.yml, *.json) found\n`);
    return EXIT_INVALID;
  }
  const errors = parseManifests(files).diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) {
    process.stderr.write(`${errors.map(formatDiagnostic).join('\n')}\n`);
    process.stderr.write(`baton: ${plural(errors.length, 'error')}: nothing applied\n`);
    return EXIT_INVALID;
  }
  // The controller may run in another directory: it gets absolute paths, as its diagnostics and
  // `workingDir` (relative to the manifest) need them.
  const result = await clientFor(opts).apply({ files: files.map((f) => ({ path: resolve(f.path), text: f.text })) });
  if (opts.output === 'json') {
    process.stdout.write(formatJson(result));
    return 0;
  }
  const lines = [result.changed ? `applied generation ${result.generation}` : `unchanged (generation ${result.generation})`];
  for (const w of result.warnings) lines.push(`warning: ${w}`);
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

/** Adds `baton apply` to the program. */
export function registerApplyCommand(program: Command): void {
  const command = program
    .command('apply')
    .description('Send manifests to the running controller (linted here first); it rolls out what changed')
    .requiredOption('-f, --filename <paths...>', 'manifest files or directories (*.yaml, *.yml, *.json, recursively)');
  addOutputOption(addConnectionOptions(command)).action(async (opts: ApplyOptions) => {
    process.exitCode = await runApply(opts);
  });
}
