import { describe, expect, it } from 'vitest';
import { blockingProblems, blockingProblemsFor, pendingContracts, planMigrations, withRunInProgress } from './plan.js';
import type { Migration, MigrationRecord } from './types.js';

const file = (path: string, checksum = `sum-${path}`) => ({ path, text: '', checksum });
const mig = (name: string, phases: ('backfill' | 'contract')[] = []): Migration => ({
  name,
  expand: file(`${name}/expand.sql`),
  ...(phases.includes('backfill') ? { backfill: file(`${name}/backfill.sql`) } : {}),
  ...(phases.includes('contract') ? { contract: file(`${name}/contract.sql`) } : {}),
});
let nextId = 1;
const rec = (name: string, phase: MigrationRecord['phase'], status: MigrationRecord['status'], extra: Partial<MigrationRecord> = {}): MigrationRecord => ({
  id: nextId++, name, phase, status, checksum: `sum-${name}/${phase}.sql`, transactional: true, statementsDone: 0, statementsTotal: 1,
  startedAt: '2026-01-01T00:00:00Z', finishedAt: null, appliedBy: 'test', revision: null, error: null, ...extra,
});

describe('planMigrations', () => {
  it('plans everything for a fresh database, in name order', () => {
    const p = planMigrations([mig('0002', ['contract']), mig('0001', ['backfill', 'contract'])], []);
    expect(p.expand).toEqual(['0001', '0002']);
    expect(p.backfill).toEqual(['0001']);
    expect(p.contract).toEqual(['0001', '0002']);
    expect(p.problems).toEqual([]);
  });

  it('skips applied phases and keeps pending contracts', () => {
    const p = planMigrations([mig('0001', ['backfill', 'contract']), mig('0002', ['contract'])], [
      rec('0001', 'expand', 'done'), rec('0001', 'backfill', 'done'), rec('0001', 'contract', 'done'), rec('0002', 'expand', 'done'),
    ]);
    expect(p.expand).toEqual([]);
    expect(p.backfill).toEqual([]);
    expect(p.contract).toEqual(['0002']);
  });

  it('refuses a file edited after it was applied', () => {
    const m = mig('0001');
    m.expand.checksum = 'edited';
    const p = planMigrations([m], [rec('0001', 'expand', 'done')]);
    expect(blockingProblems(p).map((x) => [x.kind, x.phase])).toEqual([['checksum-drift', 'expand']]);
  });

  it('reports a phase left running as interrupted, with its progress', () => {
    const p = planMigrations([mig('0001')], [rec('0001', 'expand', 'running', { statementsDone: 1, statementsTotal: 3, transactional: false })]);
    expect(p.states[0]?.expand).toBe('interrupted');
    expect(p.expand).toEqual([]);
    expect(blockingProblems(p)[0]?.message).toMatch(/after 1 of 3 statements/);
  });

  it('reports a crashed transactional phase and runs it again (PostgreSQL rolled it back)', () => {
    const p = planMigrations([mig('0001')], [rec('0001', 'expand', 'running', { transactional: true })]);
    expect(p.expand).toEqual(['0001']);
    expect(p.problems.map((x) => [x.kind, x.blocking])).toEqual([['interrupted', false]]);
  });

  it('retries a failed transactional phase but not a half-done non-transactional one', () => {
    const a = planMigrations([mig('0001')], [rec('0001', 'expand', 'failed', { statementsDone: 0 })]);
    expect(a.expand).toEqual(['0001']);
    const b = planMigrations([mig('0001')], [rec('0001', 'expand', 'failed', { statementsDone: 2, transactional: false })]);
    expect(b.expand).toEqual([]);
    expect(b.states[0]?.expand).toBe('interrupted');
  });

  it('starts over after a rollback', () => {
    const p = planMigrations([mig('0001', ['contract'])], [rec('0001', 'expand', 'done'), rec('0001', 'rollback', 'done')]);
    expect(p.expand).toEqual(['0001']);
  });

  it('refuses a migration that sorts before an applied one', () => {
    const p = planMigrations([mig('0001'), mig('0002')], [rec('0002', 'expand', 'done')]);
    expect(blockingProblems(p).map((x) => [x.kind, x.name])).toEqual([['out-of-order', '0001']]);
  });

  it('notes records without a directory, without blocking', () => {
    const p = planMigrations([], [rec('0009', 'expand', 'done')]);
    expect(p.problems.map((x) => [x.kind, x.blocking])).toEqual([['missing-on-disk', false]]);
  });
});

describe('blockingProblemsFor and withRunInProgress', () => {
  it('an out-of-order migration blocks only a run that would apply it', () => {
    const p = planMigrations([mig('0001'), mig('0002')], [rec('0002', 'expand', 'done')]);
    expect(blockingProblemsFor(p, ['0001']).map((x) => x.kind)).toEqual(['out-of-order']);
    expect(blockingProblemsFor(p, [])).toEqual([]);
  });

  it('a phase running under another controller lock is a note, not a blocking interruption', () => {
    const p = planMigrations([mig('0001')], [rec('0001', 'expand', 'running', { statementsDone: 1, statementsTotal: 3, transactional: false })]);
    expect(blockingProblems(p).map((x) => x.kind)).toEqual(['interrupted']);
    const live = withRunInProgress(p);
    expect(blockingProblems(live)).toEqual([]);
    expect(live.problems[0]?.message).toContain('is running now');
    expect(blockingProblems(p).length).toBe(1); // the input plan is not changed
  });
});

describe('pendingContracts', () => {
  it('lists the pending contracts of migrations whose expand is applied, in order', () => {
    const p = planMigrations([mig('0001', ['contract']), mig('0002', ['contract']), mig('0003', ['contract'])], [
      rec('0001', 'expand', 'done'), rec('0001', 'contract', 'done'), rec('0002', 'expand', 'done'),
    ]);
    // 0001 is contracted already; 0003 was never expanded.
    expect(pendingContracts(p)).toEqual(['0002']);
  });
});
