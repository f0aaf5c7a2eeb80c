import { describe, expect, it } from 'vitest';
import { parseSqlFile } from '../../adapters/migrate/sql-parser.js';
import { lintFile } from './lint.js';

async function lint(text: string, phase: 'expand' | 'contract' = 'expand') {
  return lintFile(await parseSqlFile({ path: 'm/expand.sql', text, checksum: '' }), phase);
}

describe('baton-lint-ignore', () => {
  it('silences one rule on the next statement and keeps the reason', async () => {
    const r = await lint(
      [
        'CREATE TABLE IF NOT EXISTS t (id int);',
        '-- baton-lint-ignore: index-not-concurrent users has 12 rows in every environment',
        'CREATE INDEX IF NOT EXISTS users_a ON users (a);',
        'CREATE INDEX IF NOT EXISTS users_b ON users (b);',
      ].join('\n'),
    );
    expect(r.ignored).toEqual([{ file: 'm/expand.sql', line: 3, ruleId: 'index-not-concurrent', reason: 'users has 12 rows in every environment' }]);
    expect(r.findings.map((f) => [f.ruleId, f.line])).toEqual([['index-not-concurrent', 4]]);
  });

  it('silences only the named rule', async () => {
    const r = await lint('-- baton-lint-ignore: index-not-concurrent tiny table\nCREATE INDEX users_a ON users (a);');
    expect(r.findings.map((f) => f.ruleId)).toEqual(['missing-if-exists']);
  });

  it('accepts several ignore lines above one statement', async () => {
    const r = await lint('-- baton-lint-ignore: index-not-concurrent tiny table\n-- baton-lint-ignore: missing-if-exists runs once\nCREATE INDEX users_a ON users (a);');
    expect(r.findings).toEqual([]);
    expect(r.ignored.map((i) => i.ruleId).sort()).toEqual(['index-not-concurrent', 'missing-if-exists']);
  });

  it('does not reach past a blank line or another statement', async () => {
    const r = await lint('-- baton-lint-ignore: index-not-concurrent tiny\n\nCREATE INDEX IF NOT EXISTS a ON users (a);');
    expect(r.findings.map((f) => f.ruleId)).toEqual(['index-not-concurrent']);
  });

  it('reports an ignore without a reason, and does not honour it', async () => {
    const r = await lint('-- baton-lint-ignore: index-not-concurrent\nCREATE INDEX IF NOT EXISTS a ON users (a);');
    expect(r.findings.map((f) => [f.ruleId, f.line]).sort()).toEqual([['index-not-concurrent', 2], ['lint-ignore-without-reason', 1]]);
  });

  it('reports an ignore naming an unknown rule', async () => {
    const r = await lint('-- baton-lint-ignore: index-not-concurent typo\nCREATE INDEX CONCURRENTLY IF NOT EXISTS a ON users (a);');
    expect(r.findings.map((f) => f.ruleId)).toEqual(['unknown-lint-ignore']);
  });
});

describe('tables created in the same file', () => {
  it('need no CONCURRENTLY or NOT VALID: they are new and empty', async () => {
    const r = await lint(
      [
        'CREATE TABLE IF NOT EXISTS sessions (id bigint, user_id bigint, token text);',
        'CREATE INDEX IF NOT EXISTS sessions_user ON sessions (user_id);',
        'ALTER TABLE sessions ADD CONSTRAINT sessions_token UNIQUE (token);',
        'ALTER TABLE sessions ADD CONSTRAINT sessions_user_fk FOREIGN KEY (user_id) REFERENCES users (id);',
      ].join('\n'),
    );
    expect(r.findings).toEqual([]);
  });
});

describe('statement lines', () => {
  it('point at the first token, past comments and blank lines, with multibyte text before', async () => {
    const r = await lint("SELECT 'héllo ☃';\n/* a\n block */\n\n-- note\nCREATE INDEX IF NOT EXISTS a ON users (a);");
    expect(r.findings.map((f) => f.line)).toEqual([6]);
  });
});
