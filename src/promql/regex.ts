/**
 * Go RE2 patterns as Prometheus uses them for `=~`/`!~` and label_replace: always fully
 * anchored (`^(?:re)$`, labels.NewFastRegexMatcher). A leading `(?i)`/`(?s)` flag group,
 * common in Prometheus queries, becomes a JS flag; other RE2-only syntax is rejected by the
 * JS engine and reported as a bad regex.
 */
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
  // RE2's \z is JS's end of input; \A likewise the start.
  body = body.replace(/\\z/g, '$').replace(/\\A/g, '^');
  return new RegExp(`^(?:${body})$`, flags);
}
