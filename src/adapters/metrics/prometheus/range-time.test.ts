import { describe, expect, it } from 'vitest';
import { resolveRangeStep, resolveRangeTime } from './range-time.js';

const NOW = Date.UTC(2024, 4, 1, 12, 0, 0);

describe('resolveRangeTime', () => {
  it('evaluates now() and now() -/+ duration()', () => {
    expect(resolveRangeTime('start', 'now()', NOW)).toEqual({ ok: true, ms: NOW });
    expect(resolveRangeTime('start', 'now() - duration("10m")', NOW)).toEqual({ ok: true, ms: NOW - 600_000 });
    expect(resolveRangeTime('start', "now()-duration('1h30m')", NOW)).toEqual({ ok: true, ms: NOW - 5_400_000 });
    expect(resolveRangeTime('end', 'now() + duration("30s")', NOW)).toEqual({ ok: true, ms: NOW + 30_000 });
  });
  it('reads RFC3339 times, bare or quoted', () => {
    expect(resolveRangeTime('start', '2024-05-01T11:00:00Z', NOW)).toEqual({ ok: true, ms: NOW - 3_600_000 });
    expect(resolveRangeTime('start', '"2024-05-01T13:00:00+02:00"', NOW)).toEqual({ ok: true, ms: NOW - 3_600_000 });
    expect(resolveRangeTime('start', '2024-05-01T11:59:59.5Z', NOW)).toEqual({ ok: true, ms: NOW - 500 });
  });
  it('names the field and the text for what it does not support', () => {
    const r = resolveRangeTime('rangeQuery.start', 'now() - 600', NOW);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(/^rangeQuery\.start: "now\(\) - 600" is not supported/);
    const bad = resolveRangeTime('rangeQuery.end', 'now() - duration("10x")', NOW);
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.message).toContain('"10x" is not a duration');
    expect(resolveRangeTime('s', '2024-05-01', NOW).ok).toBe(false);
  });
});

describe('resolveRangeStep', () => {
  it('takes Go durations and seconds', () => {
    expect(resolveRangeStep('step', '15s')).toEqual({ ok: true, seconds: 15 });
    expect(resolveRangeStep('step', '1m30s')).toEqual({ ok: true, seconds: 90 });
    expect(resolveRangeStep('step', '60')).toEqual({ ok: true, seconds: 60 });
  });
  it('rejects zero and junk', () => {
    expect(resolveRangeStep('step', '0s').ok).toBe(false);
    expect(resolveRangeStep('step', 'soon').ok).toBe(false);
  });
});
