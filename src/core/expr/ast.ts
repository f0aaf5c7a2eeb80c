/**
 * The syntax tree of a condition, after expr-lang's `ast` package (expr-lang/expr `ast/node.go`),
 * reduced to what Argo conditions use. Every node keeps `pos`, the 0-based offset of the token
 * that expr reports errors at.
 */

/** Binary operators, spelled as in the source (`and` and `&&` stay distinct for messages). */
export type BinaryOp =
  | 'or' | '||' | 'and' | '&&'
  | '==' | '!=' | '<' | '>' | '<=' | '>='
  | 'in' | 'matches' | 'contains' | 'startsWith' | 'endsWith'
  | '..' | '+' | '-' | '*' | '/' | '%' | '**' | '^' | '??';

export type UnaryOp = 'not' | '!' | '-' | '+';

/** `#` (the element), `#index` (its position) or `#acc` (reduce's accumulator). */
export type PointerName = '' | 'index' | 'acc';

/** One node of a condition's tree. */
export type Node =
  | { kind: 'nil'; pos: number }
  | { kind: 'bool'; value: boolean; pos: number }
  /** Ints are bigint so that `5 / 2` and `5 % 2` can keep Go's int vs float64 apart. */
  | { kind: 'int'; value: bigint; pos: number }
  | { kind: 'float'; value: number; pos: number }
  | { kind: 'string'; value: string; pos: number }
  | { kind: 'ident'; name: string; pos: number }
  | { kind: 'pointer'; name: PointerName; pos: number }
  | { kind: 'unary'; op: UnaryOp; operand: Node; pos: number }
  /** `regex` is set for `matches` with a string literal pattern, compiled once. */
  | { kind: 'binary'; op: BinaryOp; left: Node; right: Node; pos: number; regex?: RegExp }
  /** `a.b`, `a?.b`, `a[0]`, `a?.[0]`; `property` is a string node for `.b`. */
  | { kind: 'member'; object: Node; property: Node; optional: boolean; pos: number }
  | { kind: 'slice'; object: Node; from: Node | undefined; to: Node | undefined; pos: number }
  /** A call of an env function (`asInt(x)`) or of a value's member (`a.f(x)`). */
  | { kind: 'call'; callee: Node; args: Node[]; pos: number }
  /** A built-in function: `len`, `all`, `filter`, ... (predicate arguments are `predicate`). */
  | { kind: 'builtin'; name: string; args: Node[]; pos: number }
  | { kind: 'predicate'; body: Node; pos: number }
  | { kind: 'conditional'; cond: Node; then: Node; otherwise: Node; pos: number }
  | { kind: 'array'; items: Node[]; pos: number }
  | { kind: 'map'; entries: { key: Node; value: Node }[]; pos: number }
  /** Wraps a member chain that holds `?.`: a nil before `?.` makes the whole chain nil. */
  | { kind: 'chain'; node: Node; pos: number };

/** The `kind` tags of Node. */
export type NodeKind = Node['kind'];
