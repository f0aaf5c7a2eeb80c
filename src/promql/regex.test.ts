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

  it('scopes flag groups as RE2 does, anywhere in the pattern', () => {
    const cases: Array<[string, string, boolean]> = [
      ['(?i:PRO).*', 'production', true],
      ['.*?(?i:PRO).*', 'xproduction', true],
      ['.*(?i:TION)', 'production', true],
      ['((?i)PRO).*', 'production', true],
      ['((?i)p)ro', 'PRO', false],
      ['((?i)p)ro', 'Pro', true],
      ['(?i)a(?-i)b', 'Ab', true],
      ['(?i)a(?-i)b', 'AB', false],
      ['(?i:[a-c]x)', 'BX', true],
      ['(?i:[^a]x)', 'Ax', false],
      ['(?i)k', '\u212a', true],
      ['a.b', 'a\rb', true],
      ['a.b', 'a\nb', false],
      ['(?s:a.b)', 'a\nb', true],
      ['(?m:a$\\n^b)', 'a\nb', true],
      ['x(?i)', 'X', false],
    ];
    expect(cases.map(([re, v]) => compileAnchoredRegex(re).test(v))).toEqual(cases.map((c) => c[2]));
  });

  it.each([
    ['[[:alpha:]]+', 'POSIX character class'],
    ['\\pL', 'Unicode class'],
    ['\\x{41}', 'hex escape'],
    ['\\Qa.b\\E', 'literal quoting'],
    ['(a)\\1', 'backreference'],
    ['a(?=b)', 'lookaround'],
    ['(?<!a)b', 'lookaround'],
    ['(a', 'missing closing ): `(a`'],
    ['a)', 'unexpected ): `a)`'],
    ['[a', 'missing closing ]'],
    ['(?U)a', 'ungreedy flag U is not supported'],
    ['a{2,1}', 'invalid or unsupported syntax in `a{2,1}`'],
  ])('rejects %s', (re, msg) => {
    expect(() => compileAnchoredRegex(re)).toThrow(msg);
  });
});
