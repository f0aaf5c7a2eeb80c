/**
 * `baton apply -f <file|dir>... [--prune] [--dry-run]`: lint the manifests here first (errors as
 * `baton lint` prints them, exit 64, nothing sent), then send them to the controller, which
 * creates or changes their objects within the set in force, as `kubectl apply` does; every other
 * object stays unless `--prune`. `--prune` prints what it deletes; `--dry-run` prints the plan and
 * changes nothing.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { readManifestFiles } from '../../adapters/fs/read-manifest-files.js';
import type { ApplyResult, ManifestObjectRef } from '../../api/types.js';
import { BatonError } from '../../core/errors.js';
import { formatDiagnostic } from '../../core/spec/diagnostics.js';
import { parseManifests, type ManifestFile } from '../../core/spec/load.js';
import { addConnectionOptions, addOutputOption, clientFor, type ConnectionOptions } from '../client.js';
import { formatData, type OutputFormat, plural } from '../format/text.js';
// Invalid manifests: nothing is sent, with the exit code `baton simulate` uses for them.
import { EXIT_INVALID } from './simulate.js';

interface ApplyOptions extends ConnectionOptions {
  filename: string[];
  prune?: boolean;
  dryRun?: boolean;
  output?: OutputFormat;
}

/**
 * References that may resolve to objects applied from other files: the controller checks them
 * against the merged set, so a file whose Services were applied before is not refused here.
 */
const RESOLVED_BY_THE_CONTROLLER = new Set(['service-not-found', 'template-not-found', 'rollout-not-found']);

const ref = (o: ManifestObjectRef): string => `${o.kind.toLowerCase()}/${o.name}${o.namespace && o.namespace !== 'default' ? ` -n ${o.namespace}` : ''}`;

/** What `baton apply` prints: one line per object, as kubectl does, then the generation. */
export function renderApply(result: ApplyResult): string {
  const suffix = result.dryRun ? ' (dry run)' : '';
  const lines = [
    ...result.created.map((o) => `${ref(o)} created${suffix}`),
    ...result.configured.map((o) => `${ref(o)} configured${suffix}`),
    ...result.unchanged.map((o) => `${ref(o)} unchanged${suffix}`),
    ...result.pruned.map((o) => `${ref(o)} pruned${suffix} (applied from ${o.path})`),
  ];
  if (result.dryRun) lines.push(`dry run: nothing changed (generation ${result.generation} stays in force)`);
  else lines.push(result.changed ? `applied generation ${result.generation}` : `unchanged (generation ${result.generation})`);
  for (const w of result.warnings) lines.push(`warning: ${w}`);
  return `${lines.join('\n')}\n`;
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
  // Only unresolved references left: the controller decides, against the set they join.
  if (errors.some((d) => !RESOLVED_BY_THE_CONTROLLER.has(d.code))) {
    process.stderr.write(`${errors.map(formatDiagnostic).join('\n')}\n`);
    process.stderr.write(`baton: ${plural(errors.length, 'error')}: nothing applied\n`);
    return EXIT_INVALID;
  }
  const client = clientFor(opts);
  // The controller may run in another directory: it gets absolute paths, as its diagnostics and
  // `workingDir` (relative to the manifest) need them.
  const sent = files.map((f) => ({ path: resolve(f.path), text: f.text }));
  if (opts.prune && !opts.dryRun) {
    // What would go is printed before it goes.
    const plan = await client.apply({ files: sent, prune: true, dryRun: true });
    for (const o of plan.pruned) process.stderr.write(`baton: --prune deletes ${ref(o)} (applied from ${o.path})\n`);
  }
  const result = await client.apply({ files: sent, ...(opts.prune ? { prune: true } : {}), ...(opts.dryRun ? { dryRun: true } : {}) });
  process.stdout.write(opts.output ? formatData(result, opts.output) : renderApply(result));
  return 0;
}

/** Adds `baton apply` to the program. */
export function registerApplyCommand(program: Command): void {
  const command = program
    .command('apply')
    .description('Create or change the objects of the manifests in the running controller\'s set (linted here first); it rolls out what changed')
    .requiredOption('-f, --filename <paths...>', 'manifest files or directories (*.yaml, *.yml, *.json, recursively)')
    .option('--prune', 'also delete the objects in force that the files do not hold (listed first; refused when the files hold none)')
    .option('--dry-run', 'print what would be created, configured and pruned; change nothing');
  addOutputOption(addConnectionOptions(command)).action(async (opts: ApplyOptions) => {
    process.exitCode = await runApply(opts);
  });
}
