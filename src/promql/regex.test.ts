import { describe, expect, it } from 'vitest';
import { compileAnchoredRegex } from './regex.js';

describe('compileAnchoredRegex', () => {
  it('anchors fully and maps RE2 forms JS spells differently', () => {
    const re = compileAnchoredRegex('5..');
    expect(['500', '5000', 'x500'].map((v) => re.test(v))).toEqual([true, false, false]);
    expect(compileAnchoredRegex('a|b').test('ab')).toBe(false);
    expect(compileAnchoredRegex('(?i)get').test('GET')).toBe(true);
    expect(compileAnchoredRegex('(?P<x>a)b').exec('ab')?.groups?.x).toBe('a');
    expect(compileAnchoredRegex('ab\\z').test('ab')).toBe(true);
    expect(compileAnchoredRegex('a\\\\p').test('a\\p')).toBe(true);
  });

  it.each([
    ['[[:alpha:]]+', 'POSIX character class'],
    ['\\pL', 'Unicode class'],
    ['\\x{41}', 'hex escape'],
    ['\\Qa.b\\E', 'literal quoting'],
    ['(a)\\1', 'backreference'],
    ['a(?=b)', 'lookaround'],
    ['(?<!a)b', 'lookaround'],
    ['(a', 'Invalid regular expression'],
  ])('rejects %s', (re, msg) => {
    expect(() => compileAnchoredRegex(re)).toThrow(msg);
  });
});
