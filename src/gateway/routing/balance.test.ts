import { describe, expect, it } from 'vitest';
import { createBalancer, pickEndpoint } from './balance.js';

describe('pickEndpoint', () => {
  it('takes turns when all are idle', () => {
    const eps = [{ inFlight: 0, n: 'a' }, { inFlight: 0, n: 'b' }, { inFlight: 0, n: 'c' }];
    const b = createBalancer();
    expect(Array.from({ length: 6 }, () => pickEndpoint(b, eps)?.n).join('')).toBe('abcabc');
  });

  it('prefers the fewest requests in flight', () => {
    const eps = [{ inFlight: 5, n: 'a' }, { inFlight: 1, n: 'b' }, { inFlight: 3, n: 'c' }];
    const b = createBalancer();
    for (let i = 0; i < 4; i++) expect(pickEndpoint(b, eps)?.n).toBe('b');
  });

  it('skips an excluded endpoint and answers undefined when none is left', () => {
    const a = { inFlight: 0 };
    const c = { inFlight: 9 };
    const b = createBalancer();
    expect(pickEndpoint(b, [a, c], a)).toBe(c);
    expect(pickEndpoint(b, [a], a)).toBeUndefined();
    expect(pickEndpoint(b, [])).toBeUndefined();
  });
});
