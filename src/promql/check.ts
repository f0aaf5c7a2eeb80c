/**
 * Type checks of promql/parser/parse.go `checkAST` (2.42), with its messages: argument and
 * operand types, `bool` only on comparisons, set operators only between vectors.
 */
import { isComparison, isSetOp, typeOf, type Expr, type ValueType } from './ast.js';
import { FUNCTIONS } from './function-table.js';

const TYPE_NAMES: Record<ValueType, string> = { scalar: 'scalar', vector: 'instant vector', matrix: 'range vector', string: 'string' };

/** Calls `fail` with Prometheus' message for the first type error in `e`. */
export function checkExpr(e: Expr, fail: (msg: string) => never): void {
  const expect = (x: Expr, want: ValueType, context: string): void => {
    const got = typeOf(x);
    if (got !== want) fail(`expected type ${TYPE_NAMES[want]} in ${context}, got ${TYPE_NAMES[got]}`);
  };
  switch (e.type) {
    case 'number':
    case 'string':
    case 'vectorSelector':
    case 'matrixSelector':
      return;
    case 'paren':
      checkExpr(e.expr, fail);
      return;
    case 'unary': {
      checkExpr(e.expr, fail);
      const t = typeOf(e.expr);
      if (t !== 'scalar' && t !== 'vector') fail(`unary expression only allowed on expressions of type scalar or instant vector, got ${JSON.stringify(TYPE_NAMES[t])}`);
      return;
    }
    case 'subquery': {
      checkExpr(e.expr, fail);
      const t = typeOf(e.expr);
      if (t !== 'vector') fail(`subquery is only allowed on instant vector, got ${TYPE_NAMES[t]} instead`);
      return;
    }
    case 'call': {
      const sig = FUNCTIONS.get(e.func);
      if (!sig) return fail(`unknown function with name ${JSON.stringify(e.func)}`);
      const n = e.args.length;
      const min = sig.argTypes.length - (sig.variadic > 0 ? sig.variadic : 0);
      if (sig.variadic === 0 && n !== sig.argTypes.length) fail(`expected ${sig.argTypes.length} argument(s) in call to ${JSON.stringify(e.func)}, got ${n}`);
      if (sig.variadic !== 0 && n < (sig.variadic < 0 ? sig.argTypes.length - 1 : min)) fail(`expected at least ${sig.variadic < 0 ? sig.argTypes.length - 1 : min} argument(s) in call to ${JSON.stringify(e.func)}, got ${n}`);
      if (sig.variadic > 0 && n > sig.argTypes.length) fail(`expected at most ${sig.argTypes.length} argument(s) in call to ${JSON.stringify(e.func)}, got ${n}`);
      e.args.forEach((a, i) => {
        const want = sig.argTypes[Math.min(i, sig.argTypes.length - 1)] as ValueType;
        expect(a, want, `call to function ${JSON.stringify(e.func)}`);
        checkExpr(a, fail);
      });
      return;
    }
    case 'aggregate': {
      expect(e.expr, 'vector', 'aggregation expression');
      checkExpr(e.expr, fail);
      if (e.param) {
        expect(e.param, e.op === 'count_values' ? 'string' : 'scalar', 'aggregation parameter');
        checkExpr(e.param, fail);
      }
      return;
    }
    case 'binary': {
      checkExpr(e.lhs, fail);
      checkExpr(e.rhs, fail);
      const lt = typeOf(e.lhs);
      const rt = typeOf(e.rhs);
      if (e.returnBool && !isComparison(e.op)) fail('bool modifier can only be used on comparison operators');
      if (isComparison(e.op) && !e.returnBool && lt === 'scalar' && rt === 'scalar') fail('comparisons between scalars must use BOOL modifier');
      const m = e.matching;
      if (m) for (const l of m.include) if (m.on && m.labels.includes(l)) fail(`label ${JSON.stringify(l)} must not occur in ON and GROUP clause at once`);
      if ((lt !== 'scalar' && lt !== 'vector') || (rt !== 'scalar' && rt !== 'vector')) fail('binary expression must contain only scalar and instant vector types');
      if ((lt !== 'vector' || rt !== 'vector') && m && (m.labels.length > 0 || m.on)) fail('vector matching only allowed between instant vectors');
      if (lt === 'vector' && rt === 'vector' && isSetOp(e.op) && m && (m.card === 'many-to-one' || m.card === 'one-to-many')) fail(`no grouping allowed for ${JSON.stringify(e.op)} operation`);
      if ((lt === 'scalar' || rt === 'scalar') && isSetOp(e.op)) fail(`set operator ${JSON.stringify(e.op)} not allowed in binary scalar expression`);
      return;
    }
    default: {
      const never: never = e;
      return never;
    }
  }
}
