/**
 * `{{args.name}}` substitution, as Argo's `utils/template/template.go` does it.
 *
 * Argo marshals the whole metric to JSON, replaces every `{{tag}}` in that text with the
 * argument's value escaped by `strconv.Quote` (outer quotes removed), and unmarshals the result
 * (`ResolveQuotedArgs` via `analysisutil.ResolveMetricArgs`). The escaping exists only so that the
 * JSON stays valid; after unmarshalling, every string field holds the raw value. Walking the
 * metric and replacing inside each string (keys included) therefore gives the same metric:
 *
 *   query: 'up{job="{{ args.job }}"}' with job = `a"b`
 *   Argo:  JSON text `"up{job=\"a\"b\"}"` (value quoted as `a\"b`), unmarshalled to `up{job="a"b"}`
 *   here:  `up{job="a"b"}`
 *
 * Every `{{...}}` tag is resolved, not only `args.*` ones: an unknown tag is an error worded as
 * Argo words it, `failed to resolve {{args.x}}` (the tag as written, spaces kept).
 */

import { BatonError } from '../errors.js';

/** Argument values by name (without the `args.` prefix). */
export type ArgValues = ReadonlyMap<string, string>;

/** A `{{tag}}` with no value, or a `{{` never closed. Caught by createAnalysisRun. */
export class UnresolvedArgError extends BatonError {
  constructor(message: string, readonly tag: string) {
    super('analysis-arg-unresolved', message, { tag });
  }
}

/**
 * Replaces `{{ args.name }}` tags in `text`. Throws UnresolvedArgError for a tag with no value
 * (Argo reports the last unresolved tag, and so does this) and, as fasttemplate does, for a `{{`
 * that is never closed.
 */
export function substituteArgs(text: string, values: ArgValues): string {
  if (!text.includes('{{')) return text;
  let out = '';
  let pos = 0;
  let unresolved: string | undefined;
  for (;;) {
    const open = text.indexOf('{{', pos);
    if (open < 0) break;
    const close = text.indexOf('}}', open + 2);
    if (close < 0) {
      throw new UnresolvedArgError(`cannot find end tag="}}" in the template=${JSON.stringify(text)}`, text.slice(open));
    }
    out += text.slice(pos, open);
    const tag = text.slice(open + 2, close);
    const key = tag.trim();
    const value = key.startsWith('args.') ? values.get(key.slice('args.'.length)) : undefined;
    if (value === undefined) unresolved = tag;
    else {
      const bad = unquotableChar(value);
      if (bad !== undefined) throw new UnresolvedArgError(`invalid character '${bad}' in string escape code`, tag);
      out += value;
    }
    pos = close + 2;
  }
  if (unresolved !== undefined) throw new UnresolvedArgError(`failed to resolve {{${unresolved}}}`, unresolved);
  return out + text.slice(pos);
}

/**
 * The escape letter of the first character that `strconv.Quote` escapes in a way JSON does not
 * accept (`\a`, `\v`, `\x7f`, `\U000e0001`), or undefined. Argo's unmarshal of the substituted
 * metric fails on those with `invalid character 'a' in string escape code`.
 */
function unquotableChar(value: string): string | undefined {
  for (const ch of value) {
    const cp = ch.codePointAt(0) as number;
    if (cp === 0x07) return 'a';
    if (cp === 0x0b) return 'v';
    // \b \t \n \f \r are JSON escapes too; other C0 controls and DEL become \xNN.
    if ((cp < 0x20 && ![0x08, 0x09, 0x0a, 0x0c, 0x0d].includes(cp)) || cp === 0x7f) return 'x';
    // Non-printable runes outside the BMP are written \UXXXXXXXX.
    if (cp > 0xffff && /[\p{C}\p{Z}]/u.test(ch)) return 'U';
  }
  return undefined;
}

/**
 * A deep copy of `value` with every string (object keys included) substituted. Only plain JSON
 * data is expected: objects, arrays, strings, numbers, booleans, null.
 */
export function substituteDeep<T>(value: T, values: ArgValues): T {
  return walk(value, values) as T;
}

function walk(value: unknown, values: ArgValues): unknown {
  if (typeof value === 'string') return substituteArgs(value, values);
  if (Array.isArray(value)) return value.map((v) => walk(v, values));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      // Unset optional fields stay unset, so the result survives a JSON round trip unchanged.
      if (v === undefined) continue;
      out[substituteArgs(k, values)] = walk(v, values);
    }
    return out;
  }
  return value;
}
