/**
 * squawk's and strong_migrations' own PostgreSQL test cases, replayed through Baton's linter
 * (the tables are in test/migrate/peer-cases/). Every row states the peer's verdict and Baton's;
 * where they differ the row names the peer rule whose entry in docs/migrations.md ("Where Baton
 * differs from its peers") says why. Every PostgreSQL rule of squawk and check of
 * strong_migrations has at least one row.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSqlFile } from '../../src/adapters/migrate/sql-parser.js';
import { lintFile } from '../../src/core/migrate/lint.js';
import { LINT_RULE_IDS } from '../../src/core/migrate/lint-rules.js';
import { emptyFacts, observeStatement } from '../../src/core/migrate/schema-facts.js';
import { SQUAWK_CASES } from './peer-cases/squawk.js';
import { STRONG_CASES } from './peer-cases/strong-migrations.js';
import type { PeerCase } from './peer-cases/types.js';

const CASES: PeerCase[] = [...SQUAWK_CASES, ...STRONG_CASES];

/** squawk's rules (crates/squawk_linter/src/lib.rs `enum Rule`), less `unused-ignore` (about its own ignore comments). */
const SQUAWK_RULES = [
  'require-concurrent-index-creation', 'require-concurrent-index-deletion', 'constraint-missing-not-valid', 'adding-field-with-default',
  'adding-foreign-key-constraint', 'changing-column-type', 'adding-not-nullable-field', 'adding-serial-primary-key-field', 'renaming-column',
  'renaming-table', 'disallowed-unique-constraint', 'ban-drop-database', 'prefer-bigint-over-int', 'prefer-bigint-over-smallint',
  'prefer-identity', 'prefer-repack', 'prefer-robust-stmts', 'prefer-text-field', 'prefer-timestamptz', 'ban-char-field', 'ban-drop-column',
  'ban-drop-table', 'ban-drop-not-null', 'transaction-nesting', 'adding-required-field', 'ban-concurrent-index-creation-in-transaction',
  'ban-create-domain-with-constraint', 'ban-alter-domain-with-add-constraint', 'ban-truncate-cascade', 'require-timeout-settings',
  'ban-uncommitted-transaction', 'require-enum-value-ordering', 'require-table-schema', 'identifier-too-long',
  'require-concurrent-partition-detach', 'require-concurrent-reindex', 'ban-duplicate-column-assignments',
];

/**
 * strong_migrations' checks that apply to PostgreSQL (the keys of lib/strong_migrations/error_messages.rb,
 * less the MySQL/MariaDB ones: add_check_constraint_mysql, add_foreign_key_mysql, change_column_null_mysql,
 * copy_algorithm, lock_option, and add_index_corruption, which concerns PostgreSQL 14.0-14.3 only).
 */
const STRONG_CHECKS = [
  'add_column_default', 'add_column_default_callable', 'add_column_json', 'add_column_generated_stored', 'add_column_auto_incrementing',
  'change_column', 'change_column_constraint', 'remove_column', 'rename_column', 'rename_enum_value', 'rename_schema', 'rename_table',
  'add_reference', 'add_index', 'remove_index', 'add_index_columns', 'create_table', 'execute', 'change_column_default', 'change_column_null',
  'change_column_null_postgresql', 'add_foreign_key', 'validate_foreign_key', 'add_check_constraint', 'validate_check_constraint',
  'add_exclusion_constraint', 'add_unique_constraint', 'lock_timeout',
];

async function batonVerdict(c: PeerCase): Promise<string[]> {
  const facts = emptyFacts();
  if (c.before) for (const s of (await parseSqlFile({ path: 'before.sql', text: c.before, checksum: '' })).statements) observeStatement(facts, s.node);
  const parsed = await parseSqlFile({ path: `${c.phase}.sql`, text: c.sql, checksum: '' });
  const ids = new Set(lintFile(parsed, c.phase, facts).findings.map((f) => f.ruleId));
  if (!c.baton.includes('missing-if-exists')) ids.delete('missing-if-exists');
  return [...ids].sort();
}

const docs = await readFile(join(import.meta.dirname, '..', '..', 'docs', 'migrations.md'), 'utf8');
const differsSection = docs.slice(docs.indexOf('### Where Baton differs from its peers'));

describe.each(CASES.map((c) => [`${c.peer} ${c.rule}: ${c.test} (${c.phase})`, c] as const))('%s', (_name, c) => {
  it(`Baton says ${c.baton.length > 0 ? c.baton.join(', ') : 'ok'}`, async () => {
    expect(await batonVerdict(c)).toEqual([...c.baton].sort());
  });

  it(c.differs ? `differs from the peer (${c.peer_verdict}), as docs/migrations.md explains` : `agrees with the peer (${c.peer_verdict})`, () => {
    const agrees = (c.baton.length > 0) === (c.peer_verdict === 'flag');
    expect(agrees).toBe(c.differs === undefined);
    if (c.differs) expect(differsSection).toContain(`\`${c.differs}\``);
  });
});

describe('coverage', () => {
  it('every squawk rule and every strong_migrations PostgreSQL check has a case', () => {
    const seen = new Set(CASES.map((c) => `${c.peer}:${c.rule}`));
    expect(SQUAWK_RULES.filter((r) => !seen.has(`squawk:${r}`))).toEqual([]);
    expect(STRONG_CHECKS.filter((r) => !seen.has(`strong_migrations:${r}`))).toEqual([]);
  });

  it('every peer rule is named in docs/migrations.md, and every Baton rule in the cases is a real rule', () => {
    expect([...SQUAWK_RULES, ...STRONG_CHECKS].filter((r) => !docs.includes(`\`${r}\``))).toEqual([]);
    expect(CASES.flatMap((c) => c.baton).filter((id) => !LINT_RULE_IDS.has(id))).toEqual([]);
  });

  it('agreement, counted', () => {
    const agree = CASES.filter((c) => c.differs === undefined).length;
    // The figure docs/migrations.md quotes.
    expect(`${agree} of ${CASES.length}`).toBe(docs.match(/agree on (\d+ of \d+) cases/)?.[1]);
  });
});
