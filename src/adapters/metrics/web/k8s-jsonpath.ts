/**
 * Kubernetes JSONPath templates as Argo's web provider takes them (`k8s.io/client-go/util/
 * jsonpath`), translated to JSONPath for jsonpath-plus: `{$}` -> `$`, `{.data.ok}` ->
 * `$.data.ok`, `{$.items[0].value}` -> `$.items[0].value`, `{.items[*].v}` -> `$.items[*].v`.
 * One `{...}` expression only: a template that mixes text and expressions (`value: {.x}`) or
 * holds several (`{.a}{.b}`) prints text in Kubernetes and has no use as a metric, so it is an
 * error naming the template.
 */
import { JSONPath } from 'jsonpath-plus';

/** A JSONPath for jsonpath-plus and the template it came from, or why it cannot be used. */
export type CompiledJsonPath = { ok: true; path: string; source: string } | { ok: false; message: string };

/** Argo's default when `jsonPath` is empty. */
export const DEFAULT_JSON_PATH = '{$}';

/** Translates a Kubernetes JSONPath template (empty means `{$}`). */
export function compileK8sJsonPath(template: string): CompiledJsonPath {
  const source = template.trim() === '' ? DEFAULT_JSON_PATH : template.trim();
  const m = /^\{([^{}]*)\}$/.exec(source);
  if (!m) {
    return { ok: false, message: `jsonPath "${template}": use one {...} expression, e.g. {$.data.value} or {.items[0].value}` };
  }
  let expr = (m[1] ?? '').trim();
  if (expr === '' || expr === '$' || expr === '.') return { ok: true, path: '$', source };
  if (expr.startsWith('.') || expr.startsWith('[')) expr = `$${expr}`;
  if (!expr.startsWith('$')) {
    return { ok: false, message: `jsonPath "${template}": the expression must start with $ or . (e.g. {.data.value})` };
  }
  return { ok: true, path: expr, source };
}

/**
 * The first match, as Argo's `getValue` takes it; `found: false` when nothing matched, `error`
 * when the expression cannot be evaluated (a malformed filter).
 */
export function findFirst(path: string, json: unknown): { found: true; value: unknown } | { found: false; error?: string } {
  let results: unknown;
  try {
    results = JSONPath({ path, json: json as object, wrap: true, eval: 'safe' });
  } catch (e) {
    return { found: false, error: e instanceof Error ? e.message : String(e) };
  }
  if (Array.isArray(results) && results.length > 0) return { found: true, value: results[0] };
  return { found: false };
}
