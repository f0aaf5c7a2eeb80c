import { describe, expect, it } from 'vitest';
import { argoConditionEnv, compileExpr, evaluateCondition, ExprRuntimeError, ExprSyntaxError } from './index.js';

/**
 * Random conditions built from expr's own tokens: whatever the input, compiling either works
 * or throws ExprSyntaxError, and evaluating either works or throws ExprRuntimeError. Any other
 * exception (a TypeError from mixing bigint and number, a stack overflow) would reach the user
 * as a crash. The generator is seeded, so a failure names a reproducible input.
 */
const ATOMS = [
  'result', 'result[0]', 'result.a', 'result?.a', '#', '.a', '#index', '1', '2.5', '-1', '1e3', '0x10', '"s"', "'t'",
  'nil', 'true', 'false', '[1, 2.5]', '{a: 1}', 'xs', 'asInt("3")', 'asFloat(result)', 'isNaN(result)', 'default(result, 0)',
  'isNil(result)', 'len(result)', 'all(xs, {# > 1})', 'map(xs, # * 2)', 'filter(xs, # > 0)', 'count(xs)', 'max(xs)',
  'string(result)', 'int(2.5)', 'abs(-2)', '1..3', 'xs[1:]', 'first(xs)', 'upper("a")', 'sum(xs)',
];
const OPS = [
  '+', '-', '*', '/', '%', '**', '^', '==', '!=', '<', '<=', '>', '>=', '&&', '||', 'and', 'or', 'in', 'not in', '..',
  'contains', 'startsWith', 'endsWith', 'matches', '??',
];
const JUNK = ['(', ')', '[', ']', '{', '}', ',', ':', '?', '.', '?.', '!', 'not', '|', '#', '@', '"', '\\'];

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function pick<T>(rand: () => number, xs: readonly T[]): T {
  return xs[Math.floor(rand() * xs.length)] as T;
}

function generate(rand: () => number, depth: number): string {
  const r = rand();
  if (depth <= 0 || r < 0.3) return pick(rand, ATOMS);
  if (r < 0.6) return `${generate(rand, depth - 1)} ${pick(rand, OPS)} ${generate(rand, depth - 1)}`;
  if (r < 0.7) return `(${generate(rand, depth - 1)})`;
  if (r < 0.8) return `${generate(rand, depth - 1)} ? ${generate(rand, depth - 1)} : ${generate(rand, depth - 1)}`;
  if (r < 0.9) return `${pick(rand, ['!', 'not ', '-'])}${generate(rand, depth - 1)}`;
  // Broken input: a token dropped in at random.
  const s = generate(rand, depth - 1);
  const at = Math.floor(rand() * (s.length + 1));
  return `${s.slice(0, at)} ${pick(rand, JUNK)} ${s.slice(at)}`;
}

const RESULTS: unknown[] = [null, 0.5, NaN, [0.1, 0.9], [], 'abc', { a: { b: 1 } }, true];

describe('fuzz: only typed errors', () => {
  it('compiles and evaluates 3000 random conditions without an untyped exception', () => {
    const rand = lcg(20260101);
    let compiled = 0;
    let evaluated = 0;
    for (let i = 0; i < 3000; i++) {
      const src = generate(rand, 4);
      let c;
      try {
        c = compileExpr(src);
        compiled++;
      } catch (e) {
        if (!(e instanceof ExprSyntaxError)) throw new Error(`compile ${JSON.stringify(src)}: ${String(e)}`);
        continue;
      }
      for (const result of RESULTS) {
        try {
          c.evaluate({ ...argoConditionEnv(result), xs: [1, 2.5, -3] });
          evaluateCondition(c, result);
          evaluated++;
        } catch (e) {
          if (!(e instanceof ExprRuntimeError)) throw new Error(`evaluate ${JSON.stringify(src)} on ${String(result)}: ${String(e)}`);
        }
      }
    }
    // The generator must exercise both paths, or this test proves nothing.
    expect(compiled).toBeGreaterThan(500);
    expect(evaluated).toBeGreaterThan(100);
  });
});
