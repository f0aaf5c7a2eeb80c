import { describe, expect, it } from 'vitest';
import { decideContract, decideExpand, decideRollback, lockRetryDelayMs, mayStartNewRevision } from './guards.js';
import { planMigrations } from './plan.js';

const base = { aborted: false, promotedAtMs: 1_000, nowMs: 700_000, bakeTimeMs: 600_000, olderRevisionProcesses: 0 };

describe('decideContract', () => {
  it('never runs after an abort, even once baked', () => {
    expect(decideContract({ ...base, aborted: true })).toMatchObject({ action: 'never', reason: 'aborted' });
  });
  it('waits until promotion', () => {
    expect(decideContract({ ...base, promotedAtMs: undefined })).toMatchObject({ action: 'wait', reason: 'not-promoted' });
  });
  it('waits while an older revision has a process alive', () => {
    expect(decideContract({ ...base, olderRevisionProcesses: 1 })).toMatchObject({ action: 'wait', reason: 'old-revision-running' });
  });
  it('waits for the bake time, counted from promotion', () => {
    expect(decideContract({ ...base, nowMs: 300_000 })).toEqual({ action: 'wait', reason: 'baking', message: 'bake time: 301000 ms left', untilMs: 601_000 });
    expect(decideContract({ ...base, nowMs: 600_999 })).toMatchObject({ action: 'wait', reason: 'baking' });
    expect(decideContract({ ...base, nowMs: 601_000 })).toEqual({ action: 'run' });
  });
});

describe('expand guards', () => {
  it('skips after an abort', () => {
    expect(decideExpand({ aborted: true }).action).toBe('skip');
    expect(decideExpand({ aborted: false }).action).toBe('run');
  });
  it('lets the new revision start only when nothing is pending', () => {
    const m = { name: '0001', expand: { path: 'e', text: '', checksum: 'x' } };
    expect(mayStartNewRevision(planMigrations([m], []))).toBe(false);
    const done = { id: 1, name: '0001', phase: 'expand' as const, status: 'done' as const, checksum: 'x', transactional: true, statementsDone: 1, statementsTotal: 1, startedAt: '', finishedAt: '', appliedBy: '', revision: null, error: null };
    expect(mayStartNewRevision(planMigrations([m], [done]))).toBe(true);
  });
});

describe('lockRetryDelayMs', () => {
  it('doubles from the base and stops at the cap', () => {
    expect([1, 2, 3, 4].map((a) => lockRetryDelayMs(a, 500, 3_000))).toEqual([500, 1000, 2000, 3000]);
    expect(lockRetryDelayMs(50)).toBe(30_000);
  });
});

describe('decideRollback', () => {
  const m = (name: string) => ({ name, expand: { path: `${name}/expand.sql`, text: '', checksum: `sum-${name}/expand.sql` }, contract: { path: `${name}/contract.sql`, text: '', checksum: `sum-${name}/contract.sql` } });
  let id = 1;
  const done = (name: string, phase: 'expand' | 'contract') => ({
    id: id++, name, phase, status: 'done' as const, checksum: `sum-${name}/${phase}.sql`, transactional: true, statementsDone: 1, statementsTotal: 1,
    startedAt: '2026-01-01T00:00:00Z', finishedAt: '2026-01-01T00:00:01Z', appliedBy: 'test', revision: null, error: null,
  });
  it('runs for the last expanded, not contracted migration', () => {
    expect(decideRollback(planMigrations([m('0001'), m('0002')], [done('0001', 'expand'), done('0002', 'expand')]), '0002')).toEqual({ action: 'run' });
  });
  it('refuses a migration not expanded, one contracted, and one with a later expand', () => {
    expect(decideRollback(planMigrations([m('0001')], []), '0001')).toMatchObject({ action: 'refuse', code: 'migration-not-applied' });
    expect(decideRollback(planMigrations([m('0001')], [done('0001', 'expand'), done('0001', 'contract')]), '0001')).toMatchObject({ action: 'refuse', code: 'migration-contracted' });
    expect(decideRollback(planMigrations([m('0001'), m('0002')], [done('0001', 'expand'), done('0002', 'expand')]), '0001')).toMatchObject({ action: 'refuse', code: 'rollback-not-last', message: '0002 was expanded after 0001: roll it back first' });
  });
});
