/**
 * Each rule flags its own snippet (fixtures/lint/<rule>.bad.sql) and passes its safe rewrite
 * (<rule>.good.sql), parsed by the real PostgreSQL parser.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSqlFile } from '../../src/adapters/migrate/sql-parser.js';
import { lintFile } from '../../src/core/migrate/lint.js';
import { LINT_RULES } from '../../src/core/migrate/lint-rules.js';
import type { LintPhase } from '../../src/core/migrate/types.js';

const DIR = join(import.meta.dirname, 'fixtures', 'lint');

async function lint(name: string, phase: LintPhase) {
  const path = join(DIR, name);
  const text = await readFile(path, 'utf8');
  return lintFile(await parseSqlFile({ path, text, checksum: '' }), phase);
}

describe.each(LINT_RULES.map((r) => [r.id, r] as const))('rule %s', (id, rule) => {
  it.each(rule.phases.map((p) => [p]))('flags its snippet in %s, at the statement line, with why and rewrite', async (phase) => {
    const { findings } = await lint(`${id}.bad.sql`, phase);
    expect(findings.length).toBeGreaterThan(0);
    expect(findings.map((f) => f.ruleId)).toEqual(findings.map(() => id));
    const first = findings[0]!;
    expect(first.line).toBe(3);
    expect(first.file).toBe(join(DIR, `${id}.bad.sql`));
    expect(first.phase).toBe(phase);
    expect(first.why.length).toBeGreaterThan(20);
    expect(first.rewrite.length).toBeGreaterThan(5);
  });

  it.each(rule.phases.map((p) => [p]))('passes its safe rewrite in %s', async (phase) => {
    expect((await lint(`${id}.good.sql`, phase)).findings).toEqual([]);
  });

  const other = (['expand', 'backfill', 'contract'] as const).filter((p) => !rule.phases.includes(p));
  if (other.length > 0) {
    it.each(other.map((p) => [p]))('does not apply in %s', async (phase) => {
      expect((await lint(`${id}.bad.sql`, phase)).findings.filter((f) => f.ruleId === id)).toEqual([]);
    });
  }
});

describe('phase dependence', () => {
  it('allows dropping a column and DROP NOT NULL in contract, once no old revision runs', async () => {
    expect((await lint('drop-column.bad.sql', 'contract')).findings).toEqual([]);
    expect((await lint('drop-not-null.bad.sql', 'contract')).findings).toEqual([]);
  });
});

it('every rule has a fixture pair', async () => {
  for (const r of LINT_RULES) {
    await expect(readFile(join(DIR, `${r.id}.bad.sql`), 'utf8')).resolves.toContain(r.id);
    await expect(readFile(join(DIR, `${r.id}.good.sql`), 'utf8')).resolves.toContain(r.id);
  }
});
