/**
 * The control API as a Fetch-style handler, `(Request) => Promise<Response>` (shapes in
 * types.ts). It checks the token before anything else (before a body is read), reads the input
 * strictly (request-input.ts), calls the controller and turns errors into JSON: bad input 400, a
 * body over the server's limit 413, unknown workload 404, a refused action 409, anything else
 * (a bug) 500. `/healthz` and `/runtime/metrics` need no token; everything else does, the
 * embedded Prometheus under `/prometheus` included. The dashboard's page is served at `/`
 * (src/api/dashboard); its session cookie is a second way to carry the token, and a request
 * that uses it must pass the CSRF checks of src/api/dashboard/session.ts.
 */
import { createDashboard, csrfRefusal, type Dashboard, type DashboardOptions } from './dashboard/index.js';
import { eventStreamResponse, streamStart } from './events-stream.js';
import { BatonError, InvalidInputError } from '../core/errors.js';
import { actionRequest, applyRequest, intParam, jsonObject, pathSegments, queryParams, shutdownRequest } from './request-input.js';
import type { ActionRequest, ApiErrorBody, AuditView, ApplyRequest, ApplyResult, ControllerStatus, EventsPage, HistoryEntry, LogsResult, ShutdownRequest, WorkloadDetail, WorkloadSummary } from './types.js';

/** What the handler needs of the controller (src/host/control-plane.ts implements it). */
export interface ControlApi {
  status(): ControllerStatus;
  list(): WorkloadSummary[];
  detail(name: string): WorkloadDetail;
  history(name: string): HistoryEntry[];
  act(name: string, req: ActionRequest, actor: string): Promise<WorkloadDetail>;
  apply(req: ApplyRequest, actor: string): Promise<ApplyResult>;
  waitEvents(q: { workload?: string; afterId?: number; limit?: number }, waitMs: number): Promise<EventsPage>;
  logs(q: { workload?: string; revision?: number; pod?: string; tail?: number }): LogsResult;
  audit(q: { workload?: string; limit?: number }): AuditView[];
  runtimeMetrics(): string;
  /** The embedded Prometheus, mounted at `/prometheus`. */
  prometheus(req: Request): Promise<Response>;
  /** Asked to stop; the answer is sent before the controller goes. */
  requestShutdown(req: ShutdownRequest): void;
}

/** Longest long-poll a client may ask for. */
const MAX_WAIT_MS = 60_000;

const json = (status: number, body: unknown): Response => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const error = (status: number, code: string, message: string): Response => json(status, { error: { code, message } } satisfies ApiErrorBody);

const UNAUTHORIZED = 'a valid token is needed: Authorization: Bearer <the content of <state-dir>/api.token> (or, in a browser, sign in to the dashboard at /)';

/** The optional string parameters of a query, as an object without the absent ones. */
function strings<K extends string>(params: Map<string, string>, keys: readonly K[]): Partial<Record<K, string>> {
  const out: Partial<Record<K, string>> = {};
  for (const k of keys) {
    const v = params.get(k);
    if (v !== undefined && v !== '') out[k] = v;
  }
  return out;
}

function counts<K extends string>(params: Map<string, string>, keys: readonly K[]): Partial<Record<K, number>> {
  const out: Partial<Record<K, number>> = {};
  for (const k of keys) {
    const v = intParam(params, k);
    if (v !== undefined) out[k] = v;
  }
  return out;
}

/** Options of {@link createApiHandler}: the dashboard's (where its files are, the clock of its sessions). */
export type ApiHandlerOptions = Omit<DashboardOptions, 'token'>;

/**
 * The control API handler over `api`; every call but `/healthz`, `/runtime/metrics` and the
 * dashboard's page must carry `token` (as a Bearer token, or in the dashboard's session cookie).
 */
export function createApiHandler(api: ControlApi, token: string, opts: ApiHandlerOptions = {}): (req: Request) => Promise<Response> {
  const dashboard: Dashboard = createDashboard({ ...opts, token });
  return async (req) => {
    const url = new URL(req.url);
    const path = url.pathname;
    try {
      if (path === '/healthz') return json(200, { ok: true });
      if (path === '/runtime/metrics') return new Response(api.runtimeMetrics(), { headers: { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' } });
      const page = dashboard.page(req, url);
      if (page) return page;
      const isPrometheus = path === '/prometheus' || path.startsWith('/prometheus/');
      if (!isPrometheus && !path.startsWith('/api/v1/')) return error(404, 'not-found', `no such path ${path}`);
      // First, before any body is read.
      const via = dashboard.authenticate(req);
      if (!via) {
        return isPrometheus ? json(401, { status: 'error', errorType: 'unauthorized', error: UNAUTHORIZED }) : error(401, 'unauthorized', UNAUTHORIZED);
      }
      const refusal = via === 'cookie' ? csrfRefusal(req) : undefined;
      if (refusal) return error(403, 'cross-site-refused', refusal);
      if (isPrometheus) return await api.prometheus(req);
      if (path === '/api/v1/session') return dashboard.session(req, via) ?? error(405, 'method-not-allowed', `${req.method} /api/v1/session: use GET, POST or DELETE`);
      return await route(api, req, url, via === 'cookie' ? 'dashboard' : 'api');
    } catch (e) {
      // The listener's BodyTooLargeError (src/adapters/http/fetch-server.ts), raised as the body is read.
      if (e instanceof BatonError && e.code === 'body-too-large') return error(413, e.code, e.message);
      if (e instanceof InvalidInputError) return error(400, e.code, e.message);
      if (e instanceof BatonError) return error(e.code.endsWith('not-found') ? 404 : 409, e.code, e.message);
      return error(500, 'internal', e instanceof Error ? e.message : String(e));
    }
  };
}

async function route(api: ControlApi, req: Request, url: URL, defaultActor: string): Promise<Response> {
  const actor = req.headers.get('x-baton-actor') ?? defaultActor;
  const segments = pathSegments(url.pathname, '/api/v1/');
  const [head, name, sub] = segments;
  const method = req.method;
  const query = (): Map<string, string> => queryParams(url.search);
  const n = segments.length;
  if (head === 'status' && n === 1 && method === 'GET') return json(200, api.status());
  if (head === 'workloads') {
    if (n === 1 && method === 'GET') return json(200, api.list());
    if (name && n === 2 && method === 'GET') return json(200, api.detail(name));
    if (name && n === 3 && sub === 'history' && method === 'GET') return json(200, api.history(name));
    if (name && n === 3 && sub === 'actions' && method === 'POST') {
      const action = actionRequest(await jsonObject(req, '{"action": "promote", ...}'));
      return json(200, await api.act(name, action, actor));
    }
  }
  if (head === 'apply' && n === 1 && method === 'POST') return json(200, await api.apply(applyRequest(await jsonObject(req, '{"files": [...]}')), actor));
  if (head === 'events' && n === 2 && name === 'stream' && method === 'GET') {
    const p = query();
    return eventStreamResponse(api, { ...strings(p, ['workload'] as const), afterId: streamStart(req.headers.get('last-event-id'), intParam(p, 'afterId')) });
  }
  if (head === 'events' && n === 1 && method === 'GET') {
    const p = query();
    const { waitMs = 0, ...rest } = counts(p, ['afterId', 'limit', 'waitMs'] as const);
    return json(200, await api.waitEvents({ ...strings(p, ['workload'] as const), ...rest }, Math.min(waitMs, MAX_WAIT_MS)));
  }
  if (head === 'logs' && n === 1 && method === 'GET') {
    const p = query();
    return json(200, api.logs({ ...strings(p, ['workload', 'pod'] as const), ...counts(p, ['revision', 'tail'] as const) }));
  }
  if (head === 'audit' && n === 1 && method === 'GET') {
    const p = query();
    return json(200, api.audit({ ...strings(p, ['workload'] as const), ...counts(p, ['limit'] as const) }));
  }
  if (head === 'shutdown' && n === 1 && method === 'POST') {
    api.requestShutdown(shutdownRequest(await jsonObject(req, '{"keepServices": false}')));
    return json(200, { ok: true });
  }
  return error(404, 'not-found', `no such endpoint ${method} ${url.pathname}`);
}
