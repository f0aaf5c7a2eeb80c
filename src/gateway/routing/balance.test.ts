import { describe, expect, it } from 'vitest';
import { createBalancer, pickEndpoint } from './balance.js';

describe('pickEndpoint', () => {
  it('takes turns when all are idle', () => {
    const eps = [{ inFlight: 0, ejectedUntil: 0, n: 'a' }, { inFlight: 0, ejectedUntil: 0, n: 'b' }, { inFlight: 0, ejectedUntil: 0, n: 'c' }];
    const b = createBalancer();
    expect(Array.from({ length: 6 }, () => pickEndpoint(b, eps, 0)?.n).join('')).toBe('abcabc');
  });

  it('prefers the fewest requests in flight', () => {
    const eps = [{ inFlight: 5, ejectedUntil: 0, n: 'a' }, { inFlight: 1, ejectedUntil: 0, n: 'b' }, { inFlight: 3, ejectedUntil: 0, n: 'c' }];
    const b = createBalancer();
    for (let i = 0; i < 4; i++) expect(pickEndpoint(b, eps, 0)?.n).toBe('b');
  });

  it('skips an excluded endpoint and answers undefined when none is left', () => {
    const a = { inFlight: 0, ejectedUntil: 0 };
    const c = { inFlight: 9, ejectedUntil: 0 };
    const b = createBalancer();
    expect(pickEndpoint(b, [a, c], 0, a)).toBe(c);
    expect(pickEndpoint(b, [a], 0, a)).toBeUndefined();
    expect(pickEndpoint(b, [], 0)).toBeUndefined();
  });

  it('passes over an ejected endpoint until its time is up, unless all are ejected', () => {
    const down = { inFlight: 0, ejectedUntil: 1_000, n: 'down' };
    const busy = { inFlight: 50, ejectedUntil: 0, n: 'busy' };
    const b = createBalancer();
    for (let i = 0; i < 3; i++) expect(pickEndpoint(b, [down, busy], 500)?.n).toBe('busy');
    expect(pickEndpoint(b, [down, busy], 1_000)?.n).toBe('down');
    const other = { inFlight: 3, ejectedUntil: 2_000, n: 'other' };
    expect(pickEndpoint(b, [other, down], 500)?.n).toBe('down');
  });
});
