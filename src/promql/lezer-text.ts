/**
 * PromQL 2.42 text that the lezer grammar (which follows Prometheus 3.x) does not read,
 * rewritten for lezer with the same length, so every position still points into the query as
 * written (the parser reads names and reports errors against the original):
 *
 * - number literals with a decimal point and no digit after it (`2.`, `1./6.`, `1.e3`):
 *   Prometheus' scanNumber (promql/parser/lex.go) takes digits, an optional `.` with optional
 *   digits and an optional exponent, then `strconv.ParseFloat` reads `2.` as 2; the bare `.`
 *   becomes a space at the end of the number (`1.e3` -> `1e3 `);
 * - calls of `holt_winters`, which 3.x renamed: the name becomes `day_of_month`, a function
 *   of the same length that lezer knows (the parser takes the name from the original text).
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

/** Functions of 2.42 the lezer grammar does not know, and a same-length name it does. */
const RENAMED_FUNCTIONS: Record<string, string> = { holt_winters: 'day_of_month' };

/** The query rewritten for the lezer grammar (same length). */
export function toLezerText(q: string): string {
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
      const name = q.slice(i, j);
      const renamed = RENAMED_FUNCTIONS[name];
      out += renamed !== undefined && /^\s*\(/.test(q.slice(j)) ? renamed : name;
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
