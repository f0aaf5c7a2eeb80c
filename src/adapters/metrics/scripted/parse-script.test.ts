import { describe, expect, it } from 'vitest';
import { parseScript } from './parse-script.js';

describe('parseScript', () => {
  it('reads every entry form', () => {
    const r = parseScript({
      'error-rate': [[0.01], [0.09]],
      latency: [0.2],
      flag: [true, 'ok', null, { ok: 1 }],
      smoke: [{ error: 'refused' }],
      migrate: [{ job: 'failed' }, { job: 'succeeded' }],
    });
    expect(r).toEqual({
      script: {
        'error-rate': [
          { kind: 'value', value: [0.01] },
          { kind: 'value', value: [0.09] },
        ],
        latency: [{ kind: 'value', value: 0.2 }],
        flag: [
          { kind: 'value', value: true },
          { kind: 'value', value: 'ok' },
          { kind: 'value', value: null },
          { kind: 'value', value: { ok: 1 } },
        ],
        smoke: [{ kind: 'error', message: 'refused' }],
        migrate: [
          { kind: 'job', outcome: 'failed' },
          { kind: 'job', outcome: 'succeeded' },
        ],
      },
    });
  });
  it('reports every problem at once, with its path', () => {
    const r = parseScript({ a: 0.5, b: [], c: [{ job: 'maybe' }, { error: 3 }, { error: 'x', extra: 1 }] });
    expect('errors' in r && r.errors).toEqual([
      expect.stringMatching(/^metrics\.a: must be a list/),
      expect.stringMatching(/^metrics\.b: needs at least one result/),
      expect.stringMatching(/^metrics\.c\[0\]\.job: "maybe" is not a job outcome/),
      expect.stringMatching(/^metrics\.c\[1\]\.error: must be a non-empty message/),
      expect.stringMatching(/^metrics\.c\[2\]: .*stand alone/),
    ]);
  });
  it('reads jobs that take time, and refuses an end for one that never ends', () => {
    expect(parseScript({ j: [{ job: 'succeeded', after: '2m' }, { job: 'failed', after: 30 }, { job: 'running' }, { job: 'pending' }] })).toEqual({
      script: {
        j: [
          { kind: 'job', outcome: 'succeeded', afterMs: 120_000 },
          { kind: 'job', outcome: 'failed', afterMs: 30_000 },
          { kind: 'job', outcome: 'running' },
          { kind: 'job', outcome: 'pending' },
        ],
      },
    });
    const r = parseScript({ j: [{ job: 'running', after: '1m' }, { job: 'succeeded', after: 'soon' }] });
    expect('errors' in r && r.errors).toEqual([
      expect.stringMatching(/^metrics\.j\[0\]\.after: a running job never ends by itself/),
      expect.stringMatching(/^metrics\.j\[1\]\.after: "soon" is not a duration/),
    ]);
  });
  it('rejects a script that is not a mapping', () => {
    expect(parseScript([1, 2])).toEqual({ errors: [expect.stringMatching(/^metrics: must be a mapping/)] });
    expect(parseScript(null, 'scenario.metrics')).toEqual({ errors: [expect.stringMatching(/^scenario\.metrics: /)] });
  });
});
