import { describe, expect, it } from 'vitest';
import { readStoredJson } from './stored-json.js';

describe('readStoredJson', () => {
  it('reads a value, falls back when absent, and names the key of a damaged one', () => {
    expect(readStoredJson('[1,2]', 'k', [])).toEqual([1, 2]);
    expect(readStoredJson(undefined, 'k', ['x'])).toEqual(['x']);
    expect(() => readStoredJson('{not json', 'deployment.web.state', null)).toThrow(/saved state "deployment\.web\.state" .* does not parse/);
  });
});
