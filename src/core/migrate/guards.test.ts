import { describe, expect, it } from 'vitest';
import { decideContract, decideExpand, lockRetryDelayMs, mayStartNewRevision } from './guards.js';
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
