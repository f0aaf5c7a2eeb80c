import { describe, expect, it } from 'vitest';
import { parseSqlFile } from '../../adapters/migrate/sql-parser.js';
import { emptyFacts, hasValidatedNotNullCheck, checksOn, observeStatement, type SchemaFacts } from './schema-facts.js';
import { typeChangeVerdict } from './type-change.js';
import { columnType } from './ast.js';

async function factsOf(text: string, facts: SchemaFacts = emptyFacts()): Promise<SchemaFacts> {
  for (const s of (await parseSqlFile({ path: 'f.sql', text, checksum: '' })).statements) observeStatement(facts, s.node);
  return facts;
}

describe('schema facts', () => {
  it('keeps column types from CREATE TABLE, ADD COLUMN and ALTER COLUMN TYPE, under one name for public.t and t', async () => {
    const f = await factsOf(`CREATE TABLE IF NOT EXISTS public.t (a varchar(10), b text);
ALTER TABLE t ADD COLUMN IF NOT EXISTS c numeric(10,2);
ALTER TABLE t ALTER COLUMN a TYPE varchar(20);
ALTER TABLE t DROP COLUMN IF EXISTS b;`);
    expect(Object.fromEntries(f.columns)).toEqual({
      't.a': { name: 'varchar', mods: [20], array: false },
      't.c': { name: 'numeric', mods: [10, 2], array: false },
    });
  });

  it('knows a CHECK (col IS NOT NULL) only once it is validated, and forgets it when dropped', async () => {
    const f = await factsOf('CREATE TABLE IF NOT EXISTS t (a int);\nALTER TABLE t ADD CONSTRAINT a_nn CHECK (a IS NOT NULL) NOT VALID;');
    expect(hasValidatedNotNullCheck(f, 't', 'a')).toBe(false);
    await factsOf('ALTER TABLE t VALIDATE CONSTRAINT a_nn;', f);
    expect(hasValidatedNotNullCheck(f, 'public.t', 'a')).toBe(true);
    expect(hasValidatedNotNullCheck(f, 't', 'b')).toBe(false);
    await factsOf('ALTER TABLE t DROP CONSTRAINT IF EXISTS a_nn;', f);
    expect(hasValidatedNotNullCheck(f, 't', 'a')).toBe(false);
  });

  it('treats VALIDATE of a constraint no migration declared as the cross-migration pattern (squawk), but not of a known foreign key', async () => {
    const known = await factsOf('CREATE TABLE IF NOT EXISTS t (a int, o int);\nALTER TABLE t ADD CONSTRAINT t_o_fk FOREIGN KEY (o) REFERENCES o (id) NOT VALID;\nALTER TABLE t VALIDATE CONSTRAINT t_o_fk;');
    expect(hasValidatedNotNullCheck(known, 't', 'a')).toBe(false);
    const unknown = await factsOf('ALTER TABLE t VALIDATE CONSTRAINT made_before_baton;');
    expect(hasValidatedNotNullCheck(unknown, 't', 'a')).toBe(true);
  });

  it('lists the validated checks that mention a column (a type change re-checks them)', async () => {
    const f = await factsOf("CREATE TABLE IF NOT EXISTS t (a text CHECK (a <> ''), b int, CONSTRAINT ab CHECK (b > length(a)));\nALTER TABLE t ADD CONSTRAINT later CHECK (a <> 'x') NOT VALID;");
    expect(checksOn(f, 't', 'a').sort()).toEqual(['ab', 't_a_check']);
    expect(checksOn(f, 't', 'b')).toEqual(['ab']);
  });
});

describe('typeChangeVerdict (PostgreSQL 15 tablecmds.c and the types\' support functions)', () => {
  const t = async (sql: string) => {
    const node = (await parseSqlFile({ path: 'x.sql', text: `CREATE TABLE x (c ${sql});`, checksum: '' })).statements[0]!.node;
    return 'CreateStmt' in node && node.CreateStmt.tableElts?.[0] && 'ColumnDef' in node.CreateStmt.tableElts[0] ? columnType(node.CreateStmt.tableElts[0].ColumnDef.typeName) : undefined;
  };
  it.each([
    ['varchar(10)', 'varchar(20)', false], ['varchar(20)', 'varchar(10)', true], ['varchar(10)', 'text', false], ['text', 'varchar', false],
    ['text', 'varchar(5)', true], ['numeric(10,2)', 'numeric(12,2)', false], ['numeric(10,2)', 'numeric(12,3)', true], ['numeric', 'numeric(10,2)', true],
    ['timestamp(3)', 'timestamp', false], ['timestamp', 'timestamp(3)', true], ['timestamp', 'timestamptz', true], ['cidr', 'inet', false],
    ['int', 'bigint', true], ['varbit(4)', 'varbit(8)', false], ['text[]', 'text[]', false], ['varchar(5)[]', 'varchar(9)[]', true],
  ] as const)('%s -> %s rewrites: %s', async (from, to, rewrites) => {
    const v = typeChangeVerdict(await t(from), (await t(to))!, undefined, 'c');
    expect(v.rewrites).toBe(rewrites);
  });

  it('an unknown old type or a USING that changes the value rewrites; USING the column itself does not', async () => {
    expect(typeChangeVerdict(undefined, (await t('text'))!, undefined, 'c')).toEqual({ rewrites: true, reason: 'unknown-type' });
    const using = (await parseSqlFile({ path: 'u.sql', text: 'ALTER TABLE x ALTER COLUMN c TYPE text USING c || \'\';\nALTER TABLE x ALTER COLUMN c TYPE text USING c;', checksum: '' })).statements;
    const usingOf = (i: number) => {
      const n = using[i]!.node;
      const cmd = 'AlterTableStmt' in n && n.AlterTableStmt.cmds?.[0] && 'AlterTableCmd' in n.AlterTableStmt.cmds[0] ? n.AlterTableStmt.cmds[0].AlterTableCmd : undefined;
      return cmd?.def && 'ColumnDef' in cmd.def ? cmd.def.ColumnDef.raw_default : undefined;
    };
    expect(typeChangeVerdict(await t('varchar'), (await t('text'))!, usingOf(0), 'c')).toEqual({ rewrites: true, reason: 'using' });
    expect(typeChangeVerdict(await t('varchar'), (await t('text'))!, usingOf(1), 'c')).toEqual({ rewrites: false });
  });
});
