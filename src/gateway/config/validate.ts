/**
 * Validation of a pushed config. Every problem is listed with its JSON path so that one
 * `PUT /config` answer tells the caller everything to fix; a config with any problem is
 * refused whole and the running config stays (Envoy's xDS NACK behaves the same way).
 */
import type { ConfigProblem, GatewayConfig, StringMatch } from './types.js';

/** The typed config, or every problem found. */
export type ValidationResult = { ok: true; config: GatewayConfig } | { ok: false; problems: ConfigProblem[] };

const ROUTE_KEYS = new Set(['name', 'hosts', 'match', 'rewrite', 'timeoutMs', 'maxRequestBodyBytes', 'destinations', 'mirror', 'hashOn']);
const MATCH_KEYS = new Set(['uri', 'headers', 'method']);
const ENDPOINT_RE = /^(?:\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/;
const HEADER_NAME_RE = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const HOST_RE = /^(?:\*|(?:\*\.)?[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.?)$/;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isNonNegInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0;
}

/**
 * RE2 (Istio's regex engine, full match) has no lookaround and no backreferences; JavaScript
 * would accept them and behave differently from Istio, so they are refused.
 */
export function checkRe2Regex(pattern: string): string | undefined {
  if (/\(\?<?[=!]/.test(pattern)) return 'lookaround is not supported by RE2';
  if (/\\[1-9]|\\k</.test(pattern)) return 'backreferences are not supported by RE2';
  try {
    new RegExp(`^(?:${pattern})$`);
  } catch (e) {
    return `not a valid regular expression: ${e instanceof Error ? e.message : String(e)}`;
  }
  return undefined;
}

function checkStringMatch(v: unknown, path: string, out: ConfigProblem[]): void {
  if (!isObject(v)) {
    out.push({ path, message: 'must be an object with one of exact, prefix, regex' });
    return;
  }
  const keys = Object.keys(v);
  const known: string[] = keys.filter((k) => k === 'exact' || k === 'prefix' || k === 'regex');
  for (const k of keys) if (!known.includes(k)) out.push({ path: `${path}.${k}`, message: 'unknown field (use exact, prefix or regex)' });
  if (known.length !== 1) {
    out.push({ path, message: `must have exactly one of exact, prefix, regex (has ${known.length})` });
    return;
  }
  const key = known[0] as keyof StringMatch;
  const value = v[key];
  if (typeof value !== 'string') {
    out.push({ path: `${path}.${key}`, message: 'must be a string' });
    return;
  }
  if (key === 'regex') {
    const problem = checkRe2Regex(value);
    if (problem) out.push({ path: `${path}.regex`, message: problem });
  }
}

function checkLimit(v: unknown, path: string, out: ConfigProblem[], min = 0): void {
  if (v === undefined) return;
  if (!isNonNegInt(v) || v < min) out.push({ path, message: `must be an integer >= ${min}` });
}

function checkRoute(r: unknown, i: number, clusters: Record<string, unknown>, names: Set<string>, out: ConfigProblem[]): void {
  const p = `routes[${i}]`;
  if (!isObject(r)) {
    out.push({ path: p, message: 'must be an object' });
    return;
  }
  for (const k of Object.keys(r)) if (!ROUTE_KEYS.has(k)) out.push({ path: `${p}.${k}`, message: 'unknown field' });
  if (typeof r.name !== 'string' || r.name === '') out.push({ path: `${p}.name`, message: 'must be a non-empty string' });
  else if (names.has(r.name)) out.push({ path: `${p}.name`, message: `duplicate route name "${r.name}"` });
  else names.add(r.name);

  if (r.hosts !== undefined) {
    if (!Array.isArray(r.hosts)) out.push({ path: `${p}.hosts`, message: 'must be an array of host names' });
    else
      r.hosts.forEach((h, j) => {
        if (typeof h !== 'string' || !HOST_RE.test(h)) out.push({ path: `${p}.hosts[${j}]`, message: `must be a host name, *.suffix or * (got ${JSON.stringify(h)})` });
      });
  }

  if (r.match !== undefined) {
    if (!Array.isArray(r.match)) out.push({ path: `${p}.match`, message: 'must be an array' });
    else
      r.match.forEach((m, j) => {
        const mp = `${p}.match[${j}]`;
        if (!isObject(m)) {
          out.push({ path: mp, message: 'must be an object' });
          return;
        }
        for (const k of Object.keys(m)) if (!MATCH_KEYS.has(k)) out.push({ path: `${mp}.${k}`, message: 'unknown field (use uri, headers, method)' });
        if (m.uri !== undefined) checkStringMatch(m.uri, `${mp}.uri`, out);
        if (m.method !== undefined) checkStringMatch(m.method, `${mp}.method`, out);
        if (m.headers !== undefined) {
          if (!isObject(m.headers)) out.push({ path: `${mp}.headers`, message: 'must be an object of header name -> match' });
          else
            for (const [name, hm] of Object.entries(m.headers)) {
              if (!HEADER_NAME_RE.test(name)) out.push({ path: `${mp}.headers.${name}`, message: 'not a valid header name' });
              checkStringMatch(hm, `${mp}.headers.${name}`, out);
            }
        }
      });
  }

  if (r.rewrite !== undefined) {
    if (!isObject(r.rewrite)) out.push({ path: `${p}.rewrite`, message: 'must be an object with uri and/or authority' });
    else {
      for (const k of Object.keys(r.rewrite)) if (k !== 'uri' && k !== 'authority') out.push({ path: `${p}.rewrite.${k}`, message: 'unknown field (use uri, authority)' });
      if (r.rewrite.uri !== undefined && (typeof r.rewrite.uri !== 'string' || !r.rewrite.uri.startsWith('/')))
        out.push({ path: `${p}.rewrite.uri`, message: 'must be a path starting with /' });
      if (r.rewrite.authority !== undefined && (typeof r.rewrite.authority !== 'string' || r.rewrite.authority === ''))
        out.push({ path: `${p}.rewrite.authority`, message: 'must be a non-empty string' });
    }
  }

  checkLimit(r.timeoutMs, `${p}.timeoutMs`, out);
  checkLimit(r.maxRequestBodyBytes, `${p}.maxRequestBodyBytes`, out);

  if (!Array.isArray(r.destinations) || r.destinations.length === 0) {
    out.push({ path: `${p}.destinations`, message: 'must be a non-empty array' });
  } else {
    let total = 0;
    r.destinations.forEach((d, j) => {
      const dp = `${p}.destinations[${j}]`;
      if (!isObject(d)) {
        out.push({ path: dp, message: 'must be an object with cluster and weight' });
        return;
      }
      for (const k of Object.keys(d)) if (k !== 'cluster' && k !== 'weight') out.push({ path: `${dp}.${k}`, message: 'unknown field' });
      if (typeof d.cluster !== 'string' || !(d.cluster in clusters)) out.push({ path: `${dp}.cluster`, message: `unknown cluster ${JSON.stringify(d.cluster)}` });
      // Istio: a single destination may omit its weight (it gets 100).
      const weight = d.weight === undefined && r.destinations instanceof Array && r.destinations.length === 1 ? 100 : d.weight;
      if (!isNonNegInt(weight) || weight > 1_000_000) out.push({ path: `${dp}.weight`, message: 'must be an integer between 0 and 1000000' });
      else total += weight;
    });
    if (total === 0 && !out.some((o) => o.path.startsWith(`${p}.destinations`))) out.push({ path: `${p}.destinations`, message: 'weights must not all be 0' });
  }

  if (r.mirror !== undefined) {
    if (!isObject(r.mirror)) out.push({ path: `${p}.mirror`, message: 'must be an object with cluster and percentage' });
    else {
      for (const k of Object.keys(r.mirror)) if (k !== 'cluster' && k !== 'percentage') out.push({ path: `${p}.mirror.${k}`, message: 'unknown field' });
      if (typeof r.mirror.cluster !== 'string' || !(r.mirror.cluster in clusters)) out.push({ path: `${p}.mirror.cluster`, message: `unknown cluster ${JSON.stringify(r.mirror.cluster)}` });
      const pct = r.mirror.percentage;
      if (pct !== undefined && (typeof pct !== 'number' || !(pct >= 0 && pct <= 100))) out.push({ path: `${p}.mirror.percentage`, message: 'must be a number between 0 and 100' });
    }
  }

  if (r.hashOn !== undefined) {
    const h = r.hashOn;
    const ok = isObject(h) && Object.keys(h).length === 1 && ((typeof h.header === 'string' && HEADER_NAME_RE.test(h.header)) || (typeof h.cookie === 'string' && h.cookie !== ''));
    if (!ok) out.push({ path: `${p}.hashOn`, message: 'must be {"header": NAME} or {"cookie": NAME}' });
  }
}

/** Checks `input` (parsed JSON) and returns it typed, with defaults left to the compiler, or every problem. */
export function validateConfig(input: unknown): ValidationResult {
  const out: ConfigProblem[] = [];
  if (!isObject(input)) return { ok: false, problems: [{ path: '$', message: 'config must be a JSON object' }] };
  for (const k of Object.keys(input)) if (!['version', 'routes', 'clusters', 'limits'].includes(k)) out.push({ path: k, message: 'unknown field' });
  if (!isNonNegInt(input.version)) out.push({ path: 'version', message: 'must be a non-negative integer' });

  const clusters = isObject(input.clusters) ? input.clusters : {};
  if (!isObject(input.clusters)) out.push({ path: 'clusters', message: 'must be an object of cluster name -> {endpoints, labels}' });
  for (const [name, c] of Object.entries(clusters)) {
    const cp = `clusters.${name}`;
    if (!isObject(c)) {
      out.push({ path: cp, message: 'must be an object with endpoints' });
      continue;
    }
    for (const k of Object.keys(c)) if (k !== 'endpoints' && k !== 'labels') out.push({ path: `${cp}.${k}`, message: 'unknown field' });
    if (!Array.isArray(c.endpoints)) out.push({ path: `${cp}.endpoints`, message: 'must be an array of HOST:PORT (may be empty)' });
    else {
      const seen = new Set<string>();
      c.endpoints.forEach((e, j) => {
        const m = typeof e === 'string' ? ENDPOINT_RE.exec(e) : null;
        const port = m ? Number(m[1]) : 0;
        if (!m || port < 1 || port > 65535) out.push({ path: `${cp}.endpoints[${j}]`, message: `must be HOST:PORT (got ${JSON.stringify(e)})` });
        else if (seen.has(e as string)) out.push({ path: `${cp}.endpoints[${j}]`, message: `duplicate endpoint ${String(e)}` });
        else seen.add(e as string);
      });
    }
    if (c.labels !== undefined) {
      if (!isObject(c.labels)) out.push({ path: `${cp}.labels`, message: 'must be an object of label name -> string' });
      else
        for (const [ln, lv] of Object.entries(c.labels)) {
          if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(ln) || ln.startsWith('__')) out.push({ path: `${cp}.labels.${ln}`, message: 'not a valid Prometheus label name' });
          else if (ln === 'status' || ln === 'method' || ln === 'route') out.push({ path: `${cp}.labels.${ln}`, message: `"${ln}" is set by the gateway` });
          if (typeof lv !== 'string') out.push({ path: `${cp}.labels.${ln}`, message: 'must be a string' });
        }
    }
  }

  if (!Array.isArray(input.routes)) out.push({ path: 'routes', message: 'must be an array' });
  else {
    const names = new Set<string>();
    input.routes.forEach((r, i) => checkRoute(r, i, clusters, names, out));
  }

  if (input.limits !== undefined) {
    if (!isObject(input.limits)) out.push({ path: 'limits', message: 'must be an object' });
    else {
      for (const k of Object.keys(input.limits))
        if (!['maxRequestBodyBytes', 'maxMirrorInFlight', 'maxMirrorBodyBytes'].includes(k)) out.push({ path: `limits.${k}`, message: 'unknown field' });
      checkLimit(input.limits.maxRequestBodyBytes, 'limits.maxRequestBodyBytes', out);
      checkLimit(input.limits.maxMirrorInFlight, 'limits.maxMirrorInFlight', out);
      checkLimit(input.limits.maxMirrorBodyBytes, 'limits.maxMirrorBodyBytes', out);
    }
  }

  return out.length > 0 ? { ok: false, problems: out } : { ok: true, config: input as unknown as GatewayConfig };
}
