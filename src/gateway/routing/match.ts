/**
 * Route matching with Istio's `HTTPMatchRequest` semantics
 * (istio/api networking/v1beta1/virtual_service.proto): within one match every given condition
 * must hold; a route matches when any of its matches holds (or it has none); routes are tried
 * in order and the first match wins. `regex` is RE2 and matches the whole string, so it is
 * anchored here as `^(?:re)$`. URIs are matched on the path without the query string, as
 * Envoy's `path`/`safe_regex` matchers do.
 */
import type { HttpMatchRequest, StringMatch } from '../config/types.js';

/** What the matcher looks at; `host` is lower-cased without its port. */
export interface RequestFacts {
  host: string;
  path: string;
  method: string;
  headers: Record<string, string | string[] | undefined>;
}

/** A `StringMatch` ready to test; regexes are anchored once here. */
export type CompiledStringMatch =
  | { kind: 'exact'; value: string }
  | { kind: 'prefix'; value: string }
  | { kind: 'regex'; re: RegExp };

/** One compiled `HTTPMatchRequest`. */
export interface CompiledMatch {
  uri?: CompiledStringMatch;
  method?: CompiledStringMatch;
  headers: Array<{ name: string; match: CompiledStringMatch }>;
}

/** A route's `hosts`, split by kind for a cheap test. */
export interface HostMatcher {
  any: boolean;
  exact: ReadonlySet<string>;
  /** `*.example.com` kept as `.example.com`. */
  suffixes: readonly string[];
}

/** Compiles a validated `StringMatch` (exactly one of exact, prefix, regex). */
export function compileStringMatch(m: StringMatch): CompiledStringMatch {
  if (m.exact !== undefined) return { kind: 'exact', value: m.exact };
  if (m.prefix !== undefined) return { kind: 'prefix', value: m.prefix };
  return { kind: 'regex', re: new RegExp(`^(?:${m.regex ?? ''})$`) };
}

/** Whether `value` satisfies the match. */
export function testStringMatch(m: CompiledStringMatch, value: string): boolean {
  switch (m.kind) {
    case 'exact':
      return value === m.value;
    case 'prefix':
      return value.startsWith(m.value);
    case 'regex':
      return m.re.test(value);
    default: {
      const never: never = m;
      return never;
    }
  }
}

/** Compiles one `HTTPMatchRequest`; header names are lower-cased as Node gives them. */
export function compileMatch(m: HttpMatchRequest): CompiledMatch {
  return {
    ...(m.uri ? { uri: compileStringMatch(m.uri) } : {}),
    ...(m.method ? { method: compileStringMatch(m.method) } : {}),
    headers: Object.entries(m.headers ?? {}).map(([name, hm]) => ({ name: name.toLowerCase(), match: compileStringMatch(hm) })),
  };
}

/** Envoy joins repeated header values with `,` before matching. */
function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v.join(',') : v;
}

/** Whether every condition of the match holds for the request. */
export function testMatch(m: CompiledMatch, req: RequestFacts): boolean {
  if (m.uri && !testStringMatch(m.uri, req.path)) return false;
  if (m.method && !testStringMatch(m.method, req.method)) return false;
  for (const h of m.headers) {
    const v = headerValue(req.headers[h.name]);
    // Istio: a header match requires the header to be present.
    if (v === undefined || !testStringMatch(h.match, v)) return false;
  }
  return true;
}

/** Compiles `hosts`; absent or empty means `*`. */
export function compileHosts(hosts: readonly string[] | undefined): HostMatcher {
  const list = hosts && hosts.length > 0 ? hosts : ['*'];
  const exact = new Set<string>();
  const suffixes: string[] = [];
  let any = false;
  for (const raw of list) {
    const h = raw.toLowerCase().replace(/\.$/, '');
    if (h === '*') any = true;
    else if (h.startsWith('*.')) suffixes.push(h.slice(1));
    else exact.add(h);
  }
  return { any, exact, suffixes };
}

/** Exact names, `*.suffix` (one or more labels before the suffix, as Envoy's domain wildcard) or `*`. */
export function testHost(m: HostMatcher, host: string): boolean {
  if (m.any || m.exact.has(host)) return true;
  for (const s of m.suffixes) if (host.length > s.length && host.endsWith(s)) return true;
  return false;
}

/** `Example.COM:8080` -> `example.com`; IPv6 `[::1]:80` -> `[::1]`. */
export function normalizeHost(hostHeader: string | undefined): string {
  if (!hostHeader) return '';
  let h = hostHeader;
  if (h.startsWith('[')) {
    const end = h.indexOf(']');
    h = end >= 0 ? h.slice(0, end + 1) : h;
  } else {
    const colon = h.lastIndexOf(':');
    if (colon >= 0) h = h.slice(0, colon);
  }
  return h.toLowerCase().replace(/\.$/, '');
}

/** What `findRoute` needs of a route. */
export interface MatchableRoute {
  hosts: HostMatcher;
  matches: readonly CompiledMatch[];
}

/** The index of the first route that matches, with the match that did; -1 when none. */
export function findRoute(routes: readonly MatchableRoute[], req: RequestFacts): { index: number; match: CompiledMatch | undefined } {
  for (let i = 0; i < routes.length; i++) {
    const r = routes[i] as MatchableRoute;
    if (!testHost(r.hosts, req.host)) continue;
    if (r.matches.length === 0) return { index: i, match: undefined };
    for (const m of r.matches) if (testMatch(m, req)) return { index: i, match: m };
  }
  return { index: -1, match: undefined };
}

/**
 * Istio `HTTPRewrite.uri`: with a prefix match the matched prefix is replaced, otherwise the
 * whole path; the query string is kept. `/api/health?x=1` matched by exact `/api/health` and
 * rewritten to `/health` gives `/health?x=1`; prefix `/api/` -> `/v2/` turns `/api/users` into `/v2/users`.
 */
export function rewritePath(url: string, path: string, match: CompiledMatch | undefined, to: string): string {
  const query = url.length > path.length ? url.slice(path.length) : '';
  if (match?.uri?.kind === 'prefix') return to + path.slice(match.uri.value.length) + query;
  return to + query;
}
