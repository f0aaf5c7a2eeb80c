/**
 * A small typed walker over a parsed YAML value. Each `Field` knows its path, so every type
 * error, missing field or rule violation is reported with the line it was written at, and the
 * walk carries on: one run reports every problem in a file, not the first.
 */
import type { Diagnostic, Severity } from './diagnostics.js';
import { formatPath, type FieldPath, type PathSegment, type Position } from './yaml-positions.js';

/** A YAML map as a plain object. */
export type Obj = Record<string, unknown>;

/** A map (not a list, not null). */
export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `a list`, `"abc"`, `12`: how a value is named in a message. */
export function describeValue(v: unknown): string {
  if (v === null || v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a map';
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return typeof v;
}

/** Collects diagnostics for one document, each located through `locate`. */
export class Reporter {
  constructor(
    readonly file: string,
    private readonly locateInDocument: (path: FieldPath) => Position,
    readonly out: Diagnostic[],
    /** Where the manifest sits in its document: [] for a document, `items[i]` in a v1 List. */
    readonly prefix: FieldPath = [],
  ) {}

  /** Position of a path relative to this reporter's manifest. */
  locate(path: FieldPath): Position {
    return this.locateInDocument([...this.prefix, ...path]);
  }

  /** The same reporter writing to `out` (a cached parse reused by a later run, src/core/spec/load.ts). */
  writingTo(out: Diagnostic[]): Reporter {
    return out === this.out ? this : new Reporter(this.file, this.locateInDocument, out, this.prefix);
  }

  /** A reporter for a manifest nested at `prefix` inside this one (an item of a v1 List). */
  withPrefix(prefix: FieldPath): Reporter {
    if (prefix.length === 0) return this;
    return new Reporter(this.file, this.locateInDocument, this.out, [...this.prefix, ...prefix]);
  }

  report(severity: Severity, code: string, path: FieldPath, message: string, hint?: string): void {
    const full = [...this.prefix, ...path];
    const { line, column } = this.locateInDocument(full);
    const d: Diagnostic = { severity, code, file: this.file, line, column, path: formatPath(full), message };
    if (hint !== undefined) d.hint = hint;
    this.out.push(d);
  }

  error(code: string, path: FieldPath, message: string, hint?: string): void {
    this.report('error', code, path, message, hint);
  }

  warning(code: string, path: FieldPath, message: string, hint?: string): void {
    this.report('warning', code, path, message, hint);
  }

  root(value: unknown): Field {
    return new Field(this, value, []);
  }
}

interface Required {
  required?: boolean;
  /** Shown with a missing-field error. */
  hint?: string;
}

interface IntOptions extends Required {
  min?: number;
  max?: number;
}

/** A value at a path, with typed accessors that report instead of throwing. */
export class Field {
  constructor(
    readonly reporter: Reporter,
    readonly value: unknown,
    readonly path: FieldPath,
  ) {}

  /** Present means written with a value; YAML `key:` (null) counts as absent, as in Go. */
  get present(): boolean {
    return this.value !== undefined && this.value !== null;
  }

  get(key: PathSegment): Field {
    let child: unknown;
    if (typeof key === 'number' && Array.isArray(this.value)) child = this.value[key];
    else if (isObj(this.value)) child = this.value[String(key)];
    return new Field(this.reporter, child, [...this.path, key]);
  }

  error(code: string, message: string, hint?: string): void {
    this.reporter.error(code, this.path, message, hint);
  }

  warning(code: string, message: string, hint?: string): void {
    this.reporter.warning(code, this.path, message, hint);
  }

  private missing(opts: Required | undefined): void {
    if (opts?.required) this.error('missing-field', 'is required', opts.hint);
  }

  private wrongType(expected: string): void {
    const v = this.value;
    // A quoted number or boolean is the common slip: say how to write it.
    const fits =
      typeof v === 'string' &&
      ((expected === 'an integer' && /^-?\d+$/.test(v)) ||
        (expected === 'a number' && /^-?\d+(\.\d+)?$/.test(v)) ||
        (expected === 'true or false' && /^(true|false)$/.test(v)));
    const unquote = fits ? `write ${v} without quotes` : undefined;
    this.error('invalid-type', `expected ${expected}, got ${describeValue(v)}`, unquote);
  }

  /** The map at this path, or undefined (reported when not a map, or missing and required). */
  object(opts?: Required): Obj | undefined {
    if (!this.present) return this.missing(opts), undefined;
    if (!isObj(this.value)) return this.wrongType('a map'), undefined;
    return this.value;
  }

  keys(): string[] {
    return isObj(this.value) ? Object.keys(this.value) : [];
  }

  string(opts?: Required): string | undefined {
    if (!this.present) return this.missing(opts), undefined;
    if (typeof this.value !== 'string') return this.wrongType('a string'), undefined;
    if (opts?.required && this.value === '') return this.error('missing-field', 'must not be empty', opts.hint), undefined;
    return this.value;
  }

  /** A scalar read as a string: numbers and booleans as YAML printed them (env values, labels). */
  scalarString(opts?: Required): string | undefined {
    if (!this.present) return this.missing(opts), undefined;
    if (typeof this.value === 'number' || typeof this.value === 'boolean') return String(this.value);
    return this.string(opts);
  }

  int(opts?: IntOptions): number | undefined {
    if (!this.present) return this.missing(opts), undefined;
    if (typeof this.value !== 'number' || !Number.isInteger(this.value)) return this.wrongType('an integer'), undefined;
    return this.checkRange(this.value, opts);
  }

  number(opts?: IntOptions): number | undefined {
    if (!this.present) return this.missing(opts), undefined;
    if (typeof this.value !== 'number') return this.wrongType('a number'), undefined;
    return this.checkRange(this.value, opts);
  }

  private checkRange(n: number, opts: IntOptions | undefined): number | undefined {
    if (opts?.min !== undefined && n < opts.min) {
      this.error('out-of-range', `${n} is below the minimum ${opts.min}`);
      return undefined;
    }
    if (opts?.max !== undefined && n > opts.max) {
      this.error('out-of-range', `${n} is above the maximum ${opts.max}`);
      return undefined;
    }
    return n;
  }

  bool(fallback: boolean): boolean {
    if (!this.present) return fallback;
    if (typeof this.value !== 'boolean') return this.wrongType('true or false'), fallback;
    return this.value;
  }

  /** Kubernetes IntOrString: an integer or a string (e.g. "25%"). */
  intOrString(opts?: Required): number | string | undefined {
    if (!this.present) return this.missing(opts), undefined;
    if (typeof this.value === 'string') return this.value;
    if (typeof this.value === 'number' && Number.isInteger(this.value)) return this.value;
    return this.wrongType('an integer or a string'), undefined;
  }

  /** Items of a list; [] when absent or (reported) not a list. */
  list(opts?: Required): Field[] {
    if (!this.present) return this.missing(opts), [];
    if (!Array.isArray(this.value)) return this.wrongType('a list'), [];
    return this.value.map((_, i) => this.get(i));
  }

  stringList(): string[] {
    const out: string[] = [];
    for (const item of this.list()) {
      const s = item.scalarString({ required: true });
      if (s !== undefined) out.push(s);
    }
    return out;
  }

  /** `labels`, `selector`: a map of strings (numbers and booleans printed as written). */
  stringMap(): Record<string, string> {
    const out: Record<string, string> = {};
    const obj = this.object();
    if (!obj) return out;
    for (const key of Object.keys(obj)) {
      const v = this.get(key).scalarString({ required: true });
      if (v !== undefined) out[key] = v;
    }
    return out;
  }

  /** Warns about keys that are not in `known` (typos such as `setWieght`). */
  checkKeys(known: readonly string[], what: string): void {
    for (const key of this.keys()) {
      if (!known.includes(key)) {
        const near = closest(key, known);
        this.get(key).warning('unknown-field', `unknown field "${key}" in ${what}`, near ? `did you mean "${near}"?` : undefined);
      }
    }
  }
}

/** The known name within edit distance 2 of `word`, for "did you mean" hints. */
export function closest(word: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = 3;
  for (const k of known) {
    const d = editDistance(word.toLowerCase(), k.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = k;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur[j] = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
    }
    prev = cur;
  }
  return prev[b.length] ?? 0;
}
