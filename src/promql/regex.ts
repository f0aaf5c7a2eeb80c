/**
 * Go RE2 patterns as Prometheus uses them for `=~`/`!~` and label_replace: always fully
 * anchored (`^(?:re)$`, labels.NewFastRegexMatcher). A leading `(?i)`/`(?s)` flag group,
 * common in Prometheus queries, becomes a JS flag. RE2 syntax that JS would read differently
 * is rejected by name, and so is JS-only syntax that RE2 refuses, so a regex never silently
 * matches differently from Prometheus.
 */
const UNSUPPORTED: Array<[RegExp, string]> = [
  [/\[\[:[a-z]+:\]/, 'POSIX character class [[:name:]]'],
  [/(^|[^\\])(\\\\)*\\[pP]/, 'Unicode class \\p'],
  [/(^|[^\\])(\\\\)*\\x\{/, 'hex escape \\x{...}'],
  [/(^|[^\\])(\\\\)*\\Q/, 'literal quoting \\Q...\\E'],
  [/(^|[^\\])(\\\\)*\\[1-9]/, 'backreference'],
  [/\(\?<?[=!]/, 'lookaround'],
];

/** Compiles a Go RE2 pattern as a fully anchored JS RegExp; throws naming unsupported syntax. */
export function compileAnchoredRegex(pattern: string): RegExp {
  let flags = '';
  let body = pattern;
  const m = /^\(\?([imsU]+)\)/.exec(body);
  if (m) {
    const f = m[1] ?? '';
    if (f.includes('U')) throw new Error(`invalid or unsupported Perl syntax: \`(?${f}\``);
    if (f.includes('i')) flags += 'i';
    if (f.includes('s')) flags += 's';
    if (f.includes('m')) flags += 'm';
    body = body.slice(m[0].length);
  }
  // Syntax JS would read differently from RE2 (a wrong match is worse than an error), or
  // that RE2 rejects but JS accepts.
  for (const [re, what] of UNSUPPORTED) {
    if (re.test(body)) throw new Error(`${what} is not supported by the embedded engine`);
  }
  // RE2's \z is JS's end of input; \A likewise the start; (?P<name>) is JS's (?<name>).
  body = body.replace(/\\z/g, '$').replace(/\\A/g, '^').replace(/\(\?P</g, '(?<');
  return new RegExp(`^(?:${body})$`, flags);
}
