/**
 * The Prometheus HTTP API (web/api/v1/api.go, 2.42) over the embedded store: query,
 * query_range, series, labels, label values, targets, and the ready/healthy probes. Same
 * JSON shapes: `{"status":"success","data":...}`, sample values as strings, errors as
 * `{"status":"error","errorType":"bad_data","error":"..."}` with 400 (bad_data),
 * 422 (execution) and 503 (timeout).
 */
import type { Expr } from '../promql/ast.js';
import { PromQLExecError, PromQLParseError, PromQLTimeoutError } from '../promql/errors.js';
import { checkRangeQueryType, evalInstant, evalRange } from '../promql/eval/engine.js';
import { formatGoFloat } from '../promql/go-float.js';
import { isValidLabelName, labelsKey, labelsToRecord, type Labels } from '../promql/labels.js';
import { parsePromQL } from '../promql/parse.js';
import type { MemoryStorage } from '../promql/storage.js';
import type { Value } from '../promql/values.js';
import { BadParamError, parseDurationParam, parseTimeParam } from './api-params.js';
import type { TargetStatus } from './scraper.js';

/** What the handlers need. */
export interface ApiContext {
  storage: MemoryStorage;
  now(): number;
  targets(): TargetStatus[];
  /** Default subquery step (global.evaluation_interval). */
  evaluationIntervalMs: number;
  lookbackMs?: number;
  /** Upper bound for query timeouts; Prometheus' --query.timeout default is 2m. */
  maxQueryTimeoutMs?: number;
}

/** A handler's answer. */
export interface ApiResponse {
  status: number;
  contentType: string;
  body: string;
}

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };

function json(status: number, body: Json): ApiResponse {
  return { status, contentType: 'application/json', body: JSON.stringify(body) };
}

function success(data: Json): ApiResponse {
  return json(200, { status: 'success', data });
}

function apiError(status: number, errorType: string, error: string): ApiResponse {
  return json(status, { status: 'error', errorType, error });
}

function point(t: number, v: number): Json {
  return [t / 1000, formatGoFloat(v)];
}

/** Formats an evaluated value as the `data` of a query response. */
export function formatValue(v: Value, t: number): Json {
  switch (v.kind) {
    case 'scalar':
      return { resultType: 'scalar', result: point(t, v.value) };
    case 'string':
      return { resultType: 'string', result: [t / 1000, v.value] };
    case 'vector':
      return { resultType: 'vector', result: v.samples.map((s) => ({ metric: labelsToRecord(s.labels), value: point(t, s.value) })) };
    case 'matrix':
      return {
        resultType: 'matrix',
        result: [...v.series]
          .sort((a, b) => (labelsKey(a.labels) < labelsKey(b.labels) ? -1 : 1))
          .map((s) => ({ metric: labelsToRecord(s.labels), values: Array.from({ length: s.hi - s.lo }, (_x, i) => point(s.ts[s.lo + i] as number, s.vs[s.lo + i] as number)) })),
      };
    default: {
      const never: never = v;
      return never;
    }
  }
}

/**
 * Parsed queries by text. Analysis templates send the same few queries every interval, so
 * parsing (and regex compilation) is done once; the oldest entry goes when the cache is full.
 */
const parsedQueries = new Map<string, Expr>();
const PARSE_CACHE_SIZE = 256;

function parseQuery(params: URLSearchParams): Expr {
  const q = params.get('query') ?? '';
  const cached = parsedQueries.get(q);
  if (cached) return cached;
  const e = parseParam(q, 'query');
  if (parsedQueries.size >= PARSE_CACHE_SIZE) parsedQueries.delete(parsedQueries.keys().next().value as string);
  parsedQueries.set(q, e);
  return e;
}

/** Parses one PromQL request parameter; a parse error becomes bad_data naming the parameter. */
function parseParam(text: string, name: string): Expr {
  try {
    return parsePromQL(text);
  } catch (e) {
    if (e instanceof PromQLParseError) throw new BadParamError(`invalid parameter ${JSON.stringify(name)}: ${e.message}`);
    throw e;
  }
}

function deadline(ctx: ApiContext, params: URLSearchParams): () => boolean {
  const max = ctx.maxQueryTimeoutMs ?? 120_000;
  const t = params.get('timeout');
  const ms = t ? Math.min(parseDurationParam(t, 'timeout'), max) : max;
  const end = ctx.now() + ms;
  return () => ctx.now() > end;
}

function queryInstant(ctx: ApiContext, params: URLSearchParams): ApiResponse {
  const t = params.get('time') ? parseTimeParam(params.get('time') as string, 'time') : ctx.now();
  const isExpired = deadline(ctx, params);
  const expr = parseQuery(params);
  const v = evalInstant(ctx.storage, expr, t, { lookbackMs: ctx.lookbackMs, defaultSubqueryStepMs: ctx.evaluationIntervalMs, isExpired });
  return success(formatValue(v, t));
}

function queryRange(ctx: ApiContext, params: URLSearchParams): ApiResponse {
  const start = parseTimeParam(params.get('start') ?? '', 'start');
  const end = parseTimeParam(params.get('end') ?? '', 'end');
  if (end < start) throw new BadParamError('end timestamp must not be before start time');
  const step = parseDurationParam(params.get('step') ?? '', 'step');
  if (step <= 0) throw new BadParamError('zero or negative query resolution step widths are not accepted. Try a positive integer');
  // api.go: at most 11,000 points per series.
  if ((end - start) / step > 11_000) throw new BadParamError('exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)');
  const isExpired = deadline(ctx, params);
  const expr = parseQuery(params);
  const typeErr = checkRangeQueryType(expr);
  if (typeErr) throw new BadParamError(typeErr);
  const r = evalRange(ctx.storage, expr, start, end, step, { lookbackMs: ctx.lookbackMs, defaultSubqueryStepMs: ctx.evaluationIntervalMs, isExpired });
  return success({
    resultType: 'matrix',
    result: r.series.map((s) => ({ metric: labelsToRecord(s.labels), values: s.ts.map((t, i) => point(t, s.vs[i] as number)) })),
  });
}

/** Series matching any of the match[] selectors, with a sample in [start, end]. */
function matchSeries(ctx: ApiContext, params: URLSearchParams, required: boolean): Labels[] | undefined {
  const matches = params.getAll('match[]');
  if (matches.length === 0) {
    if (required) throw new BadParamError('no match[] parameter provided');
    return undefined;
  }
  const start = params.get('start') ? parseTimeParam(params.get('start') as string, 'start') : -Infinity;
  const end = params.get('end') ? parseTimeParam(params.get('end') as string, 'end') : Infinity;
  const out = new Map<string, Labels>();
  for (const m of matches) {
    const e = parseParam(m, 'match[]');
    if (e.type !== 'vectorSelector') throw new BadParamError(`invalid parameter "match[]": parse error: expected vector selector, got ${e.type}`);
    for (const s of ctx.storage.select(e.matchers)) {
      // One decode from `start` on: the view's first sample is the earliest with t >= start.
      const v = s.view(start);
      if (v.lo < v.hi && (v.ts[v.lo] as number) <= end) out.set(s.key, s.labels);
    }
  }
  return [...out.values()].sort((a, b) => (labelsKey(a) < labelsKey(b) ? -1 : 1));
}

function targets(ctx: ApiContext): ApiResponse {
  const active = ctx.targets().map((t) => ({
    discoveredLabels: { __address__: t.target.address, __metrics_path__: t.job.metricsPath, __scheme__: 'http', job: t.job.jobName, ...t.target.labels },
    labels: labelsToRecord(t.labels),
    scrapePool: t.job.jobName,
    scrapeUrl: t.scrapeUrl,
    globalUrl: t.scrapeUrl,
    lastError: t.lastError,
    lastScrape: t.lastScrapeMs === undefined ? '0001-01-01T00:00:00Z' : new Date(t.lastScrapeMs).toISOString(),
    lastScrapeDuration: t.lastScrapeDurationSeconds,
    health: t.health,
    scrapeInterval: `${t.job.scrapeIntervalMs / 1000}s`,
    scrapeTimeout: `${t.job.scrapeTimeoutMs / 1000}s`,
  }));
  return success({ activeTargets: active, droppedTargets: [] });
}

/** Percent-decodes a label name taken from the path; a malformed escape is bad_data naming it. */
function decodePathSegment(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new BadParamError(`invalid label name: ${JSON.stringify(raw)} (malformed percent-encoding)`);
  }
}

/** Routes one request; `path` is relative to the mount prefix. */
export function handleApiRequest(ctx: ApiContext, method: string, path: string, params: URLSearchParams): ApiResponse {
  try {
    if (path === '/-/ready') return { status: 200, contentType: 'text/plain; charset=utf-8', body: 'Prometheus Server is Ready.\n' };
    if (path === '/-/healthy') return { status: 200, contentType: 'text/plain; charset=utf-8', body: 'Prometheus Server is Healthy.\n' };
    const getOrPost = method === 'GET' || method === 'POST';
    if (!path.startsWith('/api/v1/')) return { status: 404, contentType: 'text/plain; charset=utf-8', body: '404 page not found\n' };
    if (!getOrPost) return apiError(405, 'bad_data', `method ${method} not allowed`);
    const route = path.slice('/api/v1'.length);
    if (route === '/query') return queryInstant(ctx, params);
    if (route === '/query_range') return queryRange(ctx, params);
    if (route === '/series') return success((matchSeries(ctx, params, true) ?? []).map(labelsToRecord));
    if (route === '/labels') {
      const series = matchSeries(ctx, params, false);
      if (!series) return success(ctx.storage.labelNames());
      return success([...new Set(series.flatMap((s) => s.map((l) => l.name)))].sort());
    }
    const lv = /^\/label\/([^/]+)\/values$/.exec(route);
    if (lv) {
      const name = decodePathSegment(lv[1] as string);
      if (!isValidLabelName(name)) throw new BadParamError(`invalid label name: ${JSON.stringify(name)}`);
      const series = matchSeries(ctx, params, false);
      if (!series) return success(ctx.storage.labelValues(name));
      return success([...new Set(series.map((s) => s.find((l) => l.name === name)?.value).filter((v): v is string => v !== undefined))].sort());
    }
    if (route === '/targets') return targets(ctx);
    // Grafana asks for metric metadata; the store keeps none, which the API allows (empty map).
    if (route === '/metadata') return success({});
    if (route === '/status/buildinfo') return success({ version: '2.42.0', revision: 'baton-embedded', branch: '', buildUser: '', buildDate: '', goVersion: '' });
    return { status: 404, contentType: 'text/plain; charset=utf-8', body: '404 page not found\n' };
  } catch (e) {
    if (e instanceof BadParamError) return apiError(400, 'bad_data', e.message);
    if (e instanceof PromQLParseError) return apiError(400, 'bad_data', e.message);
    if (e instanceof PromQLExecError) return apiError(422, 'execution', e.message);
    if (e instanceof PromQLTimeoutError) return apiError(503, 'timeout', e.message);
    return apiError(500, 'internal', e instanceof Error ? e.message : String(e));
  }
}
