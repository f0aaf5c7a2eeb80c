/**
 * Reads a migrations directory: one sub-directory per migration, run in name order, each with
 * `expand.sql` and optionally `backfill.sql`, `contract.sql` and `rollback.sql`.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, isAbsolute } from 'node:path';
import { InvalidInputError } from '../../core/errors.js';
import type { Migration, MigrationFile } from '../../core/migrate/types.js';

const PHASE_FILES = ['expand.sql', 'backfill.sql', 'contract.sql', 'rollback.sql'] as const;

/** Hex SHA-256 of a file's text: what the audit table stores to detect later edits. */
export function checksumOf(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

async function readPhase(dir: string, file: string): Promise<MigrationFile | undefined> {
  const path = join(dir, file);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  return { path: shown(path), text, checksum: checksumOf(text) };
}

/**
 * All migrations under `dir`, sorted by name. Hidden entries and plain files (a README) are
 * skipped; a migration without `expand.sql`, or with an `.sql` file Baton does not know (a typo
 * like `contact.sql` would otherwise be silently ignored), is an `InvalidInputError`.
 */
export async function readMigrations(dir: string): Promise<Migration[]> {
  let entries: string[];
  try {
    if (!(await stat(dir)).isDirectory()) throw new InvalidInputError('migrations-dir-invalid', `${dir}: not a directory`, { dir });
    entries = await readdir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new InvalidInputError('migrations-dir-invalid', `${dir}: no such directory`, { dir });
    throw e;
  }
  const migrations: Migration[] = [];
  for (const name of entries.sort()) {
    if (name.startsWith('.')) continue;
    const sub = join(dir, name);
    if (!(await stat(sub)).isDirectory()) continue;
    const files = await readdir(sub);
    const unknown = files.filter((f) => f.endsWith('.sql') && !(PHASE_FILES as readonly string[]).includes(f));
    if (unknown.length > 0) {
      throw new InvalidInputError('migration-unknown-file', `${shown(join(sub, unknown[0] ?? ''))}: unknown migration file (expected ${PHASE_FILES.join(', ')})`, { name, files: unknown });
    }
    const expand = await readPhase(sub, 'expand.sql');
    if (!expand) throw new InvalidInputError('migration-missing-expand', `${shown(sub)}: has no expand.sql`, { name });
    const m: Migration = { name, expand };
    const backfill = await readPhase(sub, 'backfill.sql');
    const contract = await readPhase(sub, 'contract.sql');
    const rollback = await readPhase(sub, 'rollback.sql');
    if (backfill) m.backfill = backfill;
    if (contract) m.contract = contract;
    if (rollback) m.rollback = rollback;
    migrations.push(m);
  }
  return migrations;
}
