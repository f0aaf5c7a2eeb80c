/**
 * `baton migrate lint|status|plan|expand|contract|rollback`: expand/contract schema migrations
 * by hand. The database and the directory come from `--manifest` (a SchemaMigration), or from
 * `--dir` and `--database`, which also override the manifest.
 */
import type { Command } from 'commander';
import { InvalidInputError } from '../../core/errors.js';
import { formatDuration } from '../../core/spec/duration.js';
import { mustRunOutsideTransaction } from '../../core/migrate/ast.js';
import { formatFinding } from '../../core/migrate/lint.js';
import { SCHEMA_MIGRATION_DEFAULTS, type SchemaMigrationSpec } from '../../core/migrate/manifest.js';
import { planMigrations, type MigrationPlan } from '../../core/migrate/plan.js';
import type { Migration } from '../../core/migrate/types.js';
import { lintMigrations } from '../../adapters/migrate/lint-migrations.js';
import { databaseUrlOf, migrationsDirOf, readSchemaMigration } from '../../adapters/migrate/load-manifest.js';
import { readMigrations } from '../../adapters/migrate/migration-dir.js';
import { readStatus, runContract, runExpand, runRollback, type MigrateOptions, type RunnerEvent } from '../../adapters/migrate/runner.js';

/** Where output goes (the process streams, or a buffer in tests). */
export interface MigrateIo {
  out(text: string): void;
  err(text: string): void;
}

const processIo: MigrateIo = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) };

export interface MigrateCliOptions {
  manifest?: string;
  dir?: string;
  database?: string;
  json?: boolean;
  revision?: string;
}

type Settings = Pick<SchemaMigrationSpec, 'lockTimeoutMs' | 'statementTimeoutMs' | 'bakeTimeMs' | 'maxLockRetries'>;

interface Target {
  migrations: Migration[];
  settings: Settings;
  databaseUrl: string | undefined;
}

/** Reads the manifest and/or flags into migrations, settings and (when given) a database URL. */
export async function resolveTarget(opts: MigrateCliOptions, database: 'required' | 'optional' | 'unused'): Promise<Target> {
  const manifest = opts.manifest ? await readSchemaMigration(opts.manifest) : undefined;
  const dir = opts.dir ?? (manifest ? migrationsDirOf(manifest) : undefined);
  if (!dir) throw new InvalidInputError('missing-option', 'give --manifest <schema-migration.yaml> or --dir <migrations dir>');
  if (opts.database !== undefined && !/^(postgres|postgresql):\/\/|^pglite:/.test(opts.database)) {
    throw new InvalidInputError('invalid-option', `--database ${JSON.stringify(opts.database)} is not a postgres:// (or postgresql://) or pglite: URL`);
  }
  let databaseUrl = database === 'unused' ? undefined : opts.database;
  if (databaseUrl === undefined && manifest && database !== 'unused') {
    // `plan` works without a database (as if nothing were applied); the others need one.
    databaseUrl = database === 'required' ? await databaseUrlOf(manifest) : await databaseUrlOf(manifest).catch(() => undefined);
  }
  const needDatabase = database === 'required';
  if (needDatabase && !databaseUrl) throw new InvalidInputError('missing-option', 'give --database <url> or --manifest with spec.databaseUrl');
  const settings: Settings = manifest?.spec ?? SCHEMA_MIGRATION_DEFAULTS;
  return { migrations: await readMigrations(dir), settings, databaseUrl };
}

function runnerOptions(t: Target, opts: MigrateCliOptions, io: MigrateIo): MigrateOptions {
  return {
    databaseUrl: t.databaseUrl ?? '',
    migrations: t.migrations,
    lockTimeoutMs: t.settings.lockTimeoutMs,
    statementTimeoutMs: t.settings.statementTimeoutMs,
    maxLockRetries: t.settings.maxLockRetries,
    ...(opts.revision ? { revision: opts.revision } : {}),
    onEvent: opts.json ? undefined : (e) => io.err(`${describeEvent(e)}\n`),
  };
}

/** One progress line per runner event. */
export function describeEvent(e: RunnerEvent): string {
  switch (e.type) {
    case 'lock-wait':
      return 'waiting for another controller to release the migration lock';
    case 'phase-start':
      return `${e.name} ${e.phase}: ${e.statements} statement(s) ${e.transactional ? 'in one transaction' : 'one by one (outside a transaction)'}`;
    case 'statement-done':
      return `${e.name} ${e.phase}: statement ${e.index + 1}/${e.total} done`;
    case 'lock-timeout':
      return `${e.name} ${e.phase}: line ${e.line} hit lock_timeout (attempt ${e.attempt}), retrying in ${e.retryInMs} ms`;
    case 'backfill-batch':
      return `${e.name} backfill: batch ${e.batch} changed ${e.rows} row(s)`;
    case 'phase-done':
      return `${e.name} ${e.phase}: done`;
    case 'problem':
      return `warning: ${e.message}`;
    default: {
      const never: never = e;
      return String(never);
    }
  }
}

/** `baton migrate lint [dir]`: 1 when anything is flagged. */
export async function migrateLint(dir: string | undefined, opts: MigrateCliOptions, io: MigrateIo = processIo): Promise<number> {
  const { migrations } = await resolveTarget({ ...opts, ...(dir ? { dir } : {}) }, 'unused');
  const results = await lintMigrations(migrations);
  const findings = results.flatMap((r) => r.findings);
  const ignored = results.flatMap((r) => r.ignored);
  if (opts.json) io.out(`${JSON.stringify({ findings, ignored }, null, 2)}\n`);
  else {
    for (const f of findings) io.out(`${formatFinding(f)}\n`);
    for (const i of ignored) io.out(`${i.file}:${i.line} ${i.ruleId} ignored: ${i.reason}\n`);
    io.out(`${migrations.length} migration(s), ${findings.length} finding(s), ${ignored.length} ignored\n`);
  }
  return findings.length > 0 ? 1 : 0;
}

/** `baton migrate status`: each migration's phases and the problems found (1 when one blocks). */
export async function migrateStatus(opts: MigrateCliOptions, io: MigrateIo = processIo): Promise<number> {
  const t = await resolveTarget(opts, 'required');
  const { plan, records, runInProgress } = await readStatus(runnerOptions(t, opts, io));
  // Exit 1 when something needs a person (drift, an interrupted phase), so scripts notice.
  const code = plan.problems.some((p) => p.blocking) ? 1 : 0;
  if (opts.json) {
    io.out(`${JSON.stringify({ runInProgress, states: plan.states.map(({ interruptedRecord: _r, ...s }) => s), problems: plan.problems, records }, null, 2)}\n`);
    return code;
  }
  if (runInProgress) io.out('a migration run is in progress (another controller holds the lock)\n');
  for (const s of plan.states) io.out(`${s.name}  expand: ${s.expand}  backfill: ${s.backfill}  contract: ${s.contract}\n`);
  for (const p of plan.problems) io.out(`${p.blocking ? 'error' : 'warning'}: ${p.message}\n`);
  return code;
}

function describePlan(plan: MigrationPlan, outsideTransaction: Map<string, boolean>, settings: Settings): string {
  const lines: string[] = [];
  const section = (title: string, names: string[], detail: (n: string) => string): void => {
    lines.push(`${title}:`);
    if (names.length === 0) lines.push('  (nothing)');
    for (const n of names) lines.push(`  ${n}${detail(n)}`);
  };
  section("expand (before the new revision's first process starts)", plan.expand, (n) => (outsideTransaction.get(n) ? '  one statement at a time, outside a transaction (CONCURRENTLY)' : '  in one transaction'));
  section('backfill (in batches after its expand, once more before its contract)', plan.backfill, () => '');
  section(
    `contract (after promotion, ${formatDuration(settings.bakeTimeMs)} bake time, and no older revision running; never after an abort)`,
    plan.contract,
    () => '',
  );
  for (const p of plan.problems) lines.push(`${p.blocking ? 'error' : 'warning'}: ${p.message}`);
  return `${lines.join('\n')}\n`;
}

/** `baton migrate plan`: what the next rollout would run, in which phase. */
export async function migratePlan(opts: MigrateCliOptions, io: MigrateIo = processIo): Promise<number> {
  const t = await resolveTarget(opts, 'optional');
  const plan = t.databaseUrl ? (await readStatus(runnerOptions(t, opts, io))).plan : planMigrations(t.migrations, []);
  const outside = new Map<string, boolean>();
  for (const l of await lintMigrations(t.migrations, ['expand'])) outside.set(l.name, (l.parsed.expand?.statements ?? []).some((s) => mustRunOutsideTransaction(s.node)));
  if (opts.json) {
    io.out(`${JSON.stringify({ expand: plan.expand, backfill: plan.backfill, contract: plan.contract, problems: plan.problems, assumedEmpty: !t.databaseUrl }, null, 2)}\n`);
    return 0;
  }
  if (!t.databaseUrl) io.out('(no database given: planning as if nothing were applied)\n');
  io.out(describePlan(plan, outside, t.settings));
  return 0;
}

/** `baton migrate expand|contract [NAME]` and `rollback NAME`, by hand. */
export async function migrateStep(step: 'expand' | 'contract' | 'rollback', name: string | undefined, opts: MigrateCliOptions, io: MigrateIo = processIo): Promise<number> {
  const t = await resolveTarget(opts, 'required');
  const ro = runnerOptions(t, opts, io);
  const upTo = name ? { upTo: name } : {};
  let applied;
  switch (step) {
    case 'expand':
      applied = (await runExpand({ ...ro, ...upTo })).applied;
      break;
    case 'contract':
      // A person running the contract by hand takes the guard's place.
      applied = (await runContract({ ...ro, ...upTo, guard: 'manual' })).applied;
      break;
    case 'rollback':
      if (!name) throw new InvalidInputError('missing-argument', 'rollback needs the migration NAME');
      applied = await runRollback({ ...ro, name });
      break;
    default: {
      const never: never = step;
      throw new InvalidInputError('unknown-step', String(never));
    }
  }
  if (opts.json) io.out(`${JSON.stringify({ applied }, null, 2)}\n`);
  else io.out(applied.length === 0 ? `nothing to ${step}\n` : applied.map((a) => `${a.name} ${a.phase}: applied\n`).join(''));
  return 0;
}

function common(cmd: Command, database: boolean): Command {
  cmd.option('--manifest <file>', 'a baton.dev/v1alpha1 SchemaMigration manifest').option('--dir <dir>', 'the migrations directory (overrides the manifest)');
  if (database) cmd.option('--database <url>', 'PostgreSQL URL (overrides the manifest)');
  return cmd.option('--json', 'machine-readable output');
}

/** Registers `baton migrate ...`. */
export function registerMigrateCommand(program: Command, io: MigrateIo = processIo): void {
  const migrate = program.command('migrate').description('Expand/contract schema migrations on PostgreSQL, linted for safety.');
  const done = (code: number): void => {
    if (code !== 0) process.exitCode = code;
  };
  common(migrate.command('lint [dir]').description('Check every migration against the safety rules of its phase (exit 1 on findings).'), false)
    .action(async (dir: string | undefined, o: MigrateCliOptions) => done(await migrateLint(dir, o, io)));
  common(migrate.command('status').description('Show which phases of each migration ran, and any problem.'), true)
    .action(async (o: MigrateCliOptions) => done(await migrateStatus(o, io)));
  common(migrate.command('plan').description('Show what the next rollout would run, in which phase.'), true)
    .action(async (o: MigrateCliOptions) => done(await migratePlan(o, io)));
  for (const step of ['expand', 'contract'] as const) {
    common(migrate.command(`${step} [name]`).description(`Run pending ${step}s by hand (up to NAME).`), true)
      .option('--revision <rev>', 'the rollout revision to record')
      .action(async (name: string | undefined, o: MigrateCliOptions) => done(await migrateStep(step, name, o, io)));
  }
  common(migrate.command('rollback <name>').description("Run NAME's rollback.sql (undoes its expand; refused after its contract)."), true)
    .action(async (name: string, o: MigrateCliOptions) => done(await migrateStep('rollback', name, o, io)));
}
