import { describe, expect, it } from 'vitest';
import { ExprSyntaxError } from './errors.js';
import { describeToken, tokenize } from './tokenizer.js';

const kinds = (src: string): string[] => tokenize(src).map(describeToken);

describe('tokenize', () => {
  it.each<[string, string[]]>([
    ['result[0] >= 0.8', ['Identifier("result")', 'Bracket("[")', 'Number("0")', 'Bracket("]")', 'Operator(">=")', 'Number("0.8")', 'EOF']],
    ['1e3 1_000 0x1F 0o17 0b101 .5', ['Number("1e3")', 'Number("1_000")', 'Number("0x1F")', 'Number("0o17")', 'Number("0b101")', 'Number(".5")', 'EOF']],
    ['1..3', ['Number("1")', 'Operator("..")', 'Number("3")', 'EOF']],
    ['a not in b', ['Identifier("a")', 'Operator("not")', 'Operator("in")', 'Identifier("b")', 'EOF']],
    ['not a', ['Operator("not")', 'Identifier("a")', 'EOF']],
    ['a?.b ?? c', ['Identifier("a")', 'Operator("?.")', 'Identifier("b")', 'Operator("??")', 'Identifier("c")', 'EOF']],
    ['a && b || !c', ['Identifier("a")', 'Operator("&&")', 'Identifier("b")', 'Operator("||")', 'Operator("!")', 'Identifier("c")', 'EOF']],
    ['2 ** 3 ^ 4 % 5', ['Number("2")', 'Operator("**")', 'Number("3")', 'Operator("^")', 'Number("4")', 'Operator("%")', 'Number("5")', 'EOF']],
    ['{# > 0.5}', ['Bracket("{")', 'Operator("#")', 'Operator(">")', 'Number("0.5")', 'Bracket("}")', 'EOF']],
    ['#index', ['Operator("#")', 'Identifier("index")', 'EOF']],
    ['x | len()', ['Identifier("x")', 'Operator("|")', 'Identifier("len")', 'Bracket("(")', 'Bracket(")")', 'EOF']],
    ['a // comment\n+ /* block */ b', ['Identifier("a")', 'Operator("+")', 'Identifier("b")', 'EOF']],
    ['a matches b contains c startsWith d endsWith e', ['Identifier("a")', 'Operator("matches")', 'Identifier("b")', 'Operator("contains")', 'Identifier("c")', 'Operator("startsWith")', 'Identifier("d")', 'Operator("endsWith")', 'Identifier("e")', 'EOF']],
    ['$x _y', ['Identifier("$x")', 'Identifier("_y")', 'EOF']],
  ])('%s', (src, want) => {
    expect(kinds(src)).toEqual(want);
  });

  it.each<[string, string]>([
    [`'single'`, 'single'],
    [`"double"`, 'double'],
    ['`raw \\n`', 'raw \\n'],
    [String.raw`"a\nb\tc"`, 'a\nb\tc'],
    [String.raw`"q\"q"`, 'q"q'],
    [String.raw`'q\'q'`, "q'q"],
    [String.raw`"\x41\u00e9\U0001F600\101"`, 'Aé😀A'],
    [String.raw`"back\\slash"`, 'back\\slash'],
  ])('string %s', (src, value) => {
    const [t] = tokenize(src);
    expect(t).toEqual({ kind: 'String', value, pos: 0 });
  });

  it('records 0-based positions', () => {
    expect(tokenize('a  >= 10').map((t) => t.pos)).toEqual([0, 3, 6, 7]);
  });

  it.each<[string, string, number]>([
    ['"abc', 'literal not terminated (1:4)', 3],
    ['"ab\nc"', 'literal not terminated (1:3)', 2],
    ['`abc', 'literal not terminated (1:4)', 3],
    ['a @ b', "unrecognized character: U+0040 '@' (1:3)", 2],
    [String.raw`"\q"`, 'invalid char escape (1:3)', 2],
    [String.raw`"\x4"`, 'invalid char escape (1:4)', 3],
    ['1abc', 'bad number syntax: "1a" (1:2)', 1],
    ['a /* open', 'unclosed comment (1:9)', 8],
    ['a\n  @', "unrecognized character: U+0040 '@' (2:3)", 4],
  ])('rejects %j', (src, message, position) => {
    let err: unknown;
    try {
      tokenize(src);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ExprSyntaxError);
    const e = err as ExprSyntaxError;
    expect(e.code).toBe('expr-syntax');
    expect(e.message).toBe(message);
    expect(e.details).toMatchObject({ source: src, position });
  });
});
