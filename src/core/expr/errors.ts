import { BatonError } from '../errors.js';

/**
 * Where a problem sits in a condition, as expr-lang prints it: `(line:column)`, both 1-based,
 * the column counted in characters (expr's `file.Error.format`).
 */
export function describePosition(source: string, position: number): string {
  let line = 1;
  let column = 0;
  let i = 0;
  for (const ch of source) {
    if (i >= position) break;
    if (ch === '\n') {
      line += 1;
      column = 0;
    } else {
      column += 1;
    }
    i += ch.length;
  }
  return `(${line}:${column + 1})`;
}

/**
 * A condition that does not compile: bad token, bad grammar, bad regex literal, or (when the
 * caller names the variables) an unknown name. `details.position` is the 0-based offset.
 * The message ends in expr's `(line:column)`, e.g. `unexpected token Operator(")") (1:12)`.
 */
export class ExprSyntaxError extends BatonError {
  constructor(
    readonly reason: string,
    readonly source: string,
    readonly position: number,
  ) {
    super('expr-syntax', `${reason} ${describePosition(source, position)}`, { source, position, reason });
  }
}

/**
 * A condition that compiled but failed on a value: a type mismatch (`result > 1` when result is
 * a vector), an index out of range, member access on nil, a helper given bad input. Argo turns
 * these into a measurement in phase Error. The message is expr's wording where practical, without
 * the position (Argo strips it too, `evaluate.go` unwrapFileErr); the position is in `details`.
 */
export class ExprRuntimeError extends BatonError {
  constructor(message: string, source = '', position = 0) {
    super('expr-runtime', message, { source, position });
  }
}
