import { describe, expect, it } from 'vitest';
import { byteToCharIndex, firstTokenIndex, ignoresAbove, lineAt } from './sql-text.js';

describe('sql-text', () => {
  it('converts UTF-8 byte offsets to character indexes', () => {
    expect(byteToCharIndex("'é';SELECT 1", 5)).toBe(4);
    expect(byteToCharIndex('a😀b', 5)).toBe(3);
    expect(byteToCharIndex('abc', 2)).toBe(2);
  });

  it('skips whitespace, line comments and nested block comments', () => {
    const t = ';\n  -- x\n /* a /* b */ c */ SELECT';
    expect(t.slice(firstTokenIndex(t, 1))).toBe('SELECT');
    expect(firstTokenIndex('-- only a comment', 0)).toBe(17);
  });

  it('counts lines from 1', () => {
    expect(lineAt('a\nb\nc', 0)).toBe(1);
    expect(lineAt('a\nb\nc', 4)).toBe(3);
  });

  it('collects consecutive ignore comments above a line', () => {
    const lines = ['-- baton-lint-ignore: a-b reason one', '--baton-lint-ignore:c', 'SELECT 1;'];
    expect(ignoresAbove(lines, 3)).toEqual([
      { line: 2, ruleId: 'c', reason: '' },
      { line: 1, ruleId: 'a-b', reason: 'reason one' },
    ]);
    expect(ignoresAbove(lines, 1)).toEqual([]);
  });
});
