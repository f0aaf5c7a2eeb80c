/**
 * Number literals that Prometheus' lexer reads and the lezer grammar does not: a decimal
 * point with no digit after it (`2.`, `1./6.`, `1.e3`). Prometheus' scanNumber
 * (promql/parser/lex.go, 2.42) takes digits, an optional `.` with optional digits, and an
 * optional exponent, and the number is then `strconv.ParseFloat`, for which `2.` is 2. The
 * text is rewritten for lezer with the same length, so every position in error messages
 * still points into the query as written: the bare `.` becomes a space at the end of the
 * number (`1.e3` -> `1e3 `).
 */

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const isIdent = (c: string | undefined): boolean => c !== undefined && /[a-zA-Z0-9_:]/.test(c);

/** Skips a quoted string starting at `i` (at the quote); returns the index after it. */
function skipString(q: string, i: number): number {
  const quote = q[i];
  for (i++; i < q.length; i++) {
    if (q[i] === '\\' && quote !== '`') i++;
    else if (q[i] === quote) return i + 1;
  }
  return i;
}

/** The query with trailing-dot number literals rewritten for the lezer grammar (same length). */
export function rewriteTrailingDots(q: string): string {
  if (!q.includes('.')) return q;
  let out = '';
  let i = 0;
  while (i < q.length) {
    const c = q[i] as string;
    if (c === '"' || c === "'" || c === '`') {
      const j = skipString(q, i);
      out += q.slice(i, j);
      i = j;
    } else if (isIdent(c) && !isDigit(c)) {
      let j = i;
      while (isIdent(q[j])) j++;
      out += q.slice(i, j);
      i = j;
    } else if (isDigit(c) || (c === '.' && isDigit(q[i + 1]))) {
      let j = i;
      if (c === '0' && (q[i + 1] === 'x' || q[i + 1] === 'X')) {
        for (j += 2; /[0-9a-fA-F]/.test(q[j] ?? ''); j++);
        out += q.slice(i, j);
        i = j;
        continue;
      }
      while (isDigit(q[j])) j++;
      let dot = -1;
      if (q[j] === '.') {
        dot = j++;
        while (isDigit(q[j])) j++;
      }
      if (q[j] === 'e' || q[j] === 'E') {
        let k = j + 1;
        if (q[k] === '+' || q[k] === '-') k++;
        if (isDigit(q[k])) {
          while (isDigit(q[k])) k++;
          j = k;
        }
      }
      const text = q.slice(i, j);
      // Only a `.` with no digit after it needs the rewrite; `1.5` and `.5` lezer reads.
      out += dot >= 0 && !isDigit(q[dot + 1]) ? `${text.slice(0, dot - i)}${text.slice(dot - i + 1)} ` : text;
      i = j;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}
