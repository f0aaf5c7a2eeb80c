/**
 * Go RE2 patterns as Prometheus uses them for `=~`/`!~` and label_replace: always fully
 * anchored (`^(?:re)$`, labels.NewFastRegexMatcher). RE2's flag groups (`(?i)`, `(?s)`,
 * `(?m)`, `(?i:...)`, `(?-i)`), anywhere in the pattern and scoped to their group as in Go's
 * regexp/syntax, are rewritten into plain JS syntax (JS has no scoped flags): a letter under
 * `i` becomes a class of its cases, `.` under `s` any character, `^`/`$` under `m` line
 * boundaries. RE2 syntax that JS would read differently is rejected by name, and so is
 * JS-only syntax that RE2 refuses, so a regex never silently matches differently from
 * Prometheus.
 */
const UNSUPPORTED: Array<[RegExp, string]> = [
  [/\[\[:[a-z]+:\]/, 'POSIX character class [[:name:]]'],
  [/(^|[^\\])(\\\\)*\\[pP]/, 'Unicode class \\p'],
  [/(^|[^\\])(\\\\)*\\x\{/, 'hex escape \\x{...}'],
  [/(^|[^\\])(\\\\)*\\Q/, 'literal quoting \\Q...\\E'],
  [/(^|[^\\])(\\\\)*\\[1-9]/, 'backreference'],
  [/\(\?<?[=!]/, 'lookaround'],
];

/** A pattern RE2 refuses or this engine cannot translate; the message is RE2-style. */
export class RegexSyntaxError extends Error {
  readonly code = 'PROMQL_REGEX';
  constructor(message: string) {
    super(message);
    this.name = 'RegexSyntaxError';
  }
}

interface Flags {
  i: boolean;
  s: boolean;
  m: boolean;
}

/**
 * Unicode simple case folding as Go's (?i) applies it to a rune: its lower and upper forms,
 * plus the two ASCII letters with a non-ASCII fold (k: KELVIN SIGN, s: LONG S).
 */
function caseVariants(ch: string): string[] {
  const out = new Set([ch, ch.toLowerCase(), ch.toUpperCase()].filter((c) => [...c].length === 1));
  const lower = ch.toLowerCase();
  if (lower === 'k' || ch === '\u212a') out.add('k').add('K').add('\u212a');
  if (lower === 's' || ch === '\u017f') out.add('s').add('S').add('\u017f');
  return [...out];
}

/** The escape sequence starting at `i` (at the backslash) and its length. */
function escapeAt(p: string, i: number): string {
  const n = p[i + 1];
  if (n === undefined) throw new RegexSyntaxError(`trailing backslash at end of expression: \`\``);
  if (n === 'x') return p.slice(i, i + 4);
  if (n >= '0' && n <= '7') return p.slice(i, i + 2);
  return p.slice(i, i + 2);
}

/** Translates one `[...]` class starting at `i`; returns its JS text and end index. */
function translateClass(p: string, i: number, flags: Flags): [string, number] {
  let j = i + 1;
  let out = '[';
  if (p[j] === '^') {
    out += '^';
    j++;
  }
  let first = true;
  const extra: string[] = [];
  for (;;) {
    const c = p[j];
    if (c === undefined) throw new RegexSyntaxError(`missing closing ]: \`${p.slice(i)}\``);
    if (c === ']' && !first) break;
    first = false;
    let atom: string;
    if (c === '\\') atom = escapeAt(p, j);
    else atom = c === '[' || c === ']' ? `\\${c}` : c;
    j += c === '\\' ? atom.length : 1;
    const literal = atom.length === 1 ? atom : undefined;
    // A range a-z: under i the other case's range is added too.
    if (p[j] === '-' && p[j + 1] !== ']' && p[j + 1] !== undefined) {
      const endRaw = p[j + 1] === '\\' ? escapeAt(p, j + 1) : (p[j + 1] as string);
      j += 1 + endRaw.length;
      out += `${atom}-${endRaw}`;
      if (flags.i && literal && endRaw.length === 1) {
        const lo = literal.codePointAt(0) as number;
        const hi = endRaw.codePointAt(0) as number;
        for (let cp = lo; cp <= hi && cp - lo < 0x3000; cp++) {
          for (const v of caseVariants(String.fromCodePoint(cp))) if (v.codePointAt(0) as number < lo || (v.codePointAt(0) as number) > hi) extra.push(v);
        }
      }
      continue;
    }
    out += atom;
    if (flags.i && literal) for (const v of caseVariants(literal)) if (v !== literal) extra.push(v);
  }
  const escaped = [...new Set(extra)].map((c) => (/[\\\]^-]/.test(c) ? `\\${c}` : c)).join('');
  return [`${out}${escaped}]`, j + 1];
}

/** Reads `(?flags)` / `(?flags:` at `i`; undefined when the group is not a flag group. */
function readFlagGroup(p: string, i: number, cur: Flags): { flags: Flags; scoped: boolean; end: number } | undefined {
  const m = /^\(\?([a-zA-Z]*)(?:-([a-zA-Z]*))?([:)])/.exec(p.slice(i));
  if (!m) return undefined;
  const [all, on = '', off = '', kind] = m;
  if (on === '' && off === '' && kind === ':') return undefined;
  const flags = { ...cur };
  for (const [set, value] of [[on, true], [off, false]] as const) {
    for (const f of set) {
      if (f === 'U') throw new RegexSyntaxError(`the ungreedy flag U is not supported by the embedded engine: \`${all}\``);
      if (f !== 'i' && f !== 's' && f !== 'm') throw new RegexSyntaxError(`invalid or unsupported Perl syntax: \`${all.slice(0, -1)}\``);
      flags[f] = value;
    }
  }
  return { flags, scoped: kind === ':', end: i + all.length };
}

/** Translates an RE2 pattern (the part inside Prometheus' anchors) to JS regex source. */
export function translateRe2(pattern: string): string {
  const stack: Flags[] = [];
  let flags: Flags = { i: false, s: false, m: false };
  let out = '';
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i] as string;
    if (c === '\\') {
      const esc = escapeAt(pattern, i);
      // RE2's \A and \z are the start and end of the text.
      out += esc === '\\A' ? '^' : esc === '\\z' ? '$' : esc;
      i += esc.length;
    } else if (c === '[') {
      const [cls, end] = translateClass(pattern, i, flags);
      out += cls;
      i = end;
    } else if (c === '(') {
      const fg = readFlagGroup(pattern, i, flags);
      if (fg && !fg.scoped) {
        // (?i) applies to the rest of the enclosing group.
        flags = fg.flags;
        i = fg.end;
        continue;
      }
      stack.push(flags);
      if (fg) {
        flags = fg.flags;
        out += '(?:';
        i = fg.end;
      } else if (pattern.startsWith('(?P<', i)) {
        out += '(?<';
        i += 4;
      } else {
        out += '(';
        i++;
      }
    } else if (c === ')') {
      const prev = stack.pop();
      if (!prev) throw new RegexSyntaxError(`unexpected ): \`${pattern}\``);
      flags = prev;
      out += ')';
      i++;
    } else if (c === '.') {
      // RE2's `.` excludes only \n (JS's also excludes \r and the line separators).
      out += flags.s ? '[\\s\\S]' : '[^\\n]';
      i++;
    } else if (c === '^' || c === '$') {
      out += flags.m ? (c === '^' ? '(?:^|(?<=\\n))' : '(?:$|(?=\\n))') : c;
      i++;
    } else {
      const ch = String.fromCodePoint(pattern.codePointAt(i) as number);
      const variants = flags.i ? caseVariants(ch) : [ch];
      out += variants.length > 1 ? `[${variants.join('')}]` : ch;
      i += ch.length;
    }
  }
  if (stack.length > 0) throw new RegexSyntaxError(`missing closing ): \`${pattern}\``);
  return out;
}

/** Compiles a Go RE2 pattern as a fully anchored JS RegExp; throws naming unsupported syntax. */
export function compileAnchoredRegex(pattern: string): RegExp {
  // Syntax JS would read differently from RE2 (a wrong match is worse than an error), or
  // that RE2 rejects but JS accepts.
  for (const [re, what] of UNSUPPORTED) {
    if (re.test(pattern)) throw new RegexSyntaxError(`${what} is not supported by the embedded engine`);
  }
  const source = translateRe2(pattern);
  try {
    return new RegExp(`^(?:${source})$`);
  } catch {
    // The JS engine's message would quote the translated source, not the pattern written.
    throw new RegexSyntaxError(`invalid or unsupported syntax in \`${pattern}\``);
  }
}
