/**
 * The control API as a Fetch-style handler, `(Request) => Promise<Response>` (shapes in
 * types.ts). It parses, checks the token, calls the controller and turns errors into JSON:
 * bad input 400, unknown workload 404, anything else 500. Read-only metrics paths need no token.
 */
import { timingSafeEqual } from 'node:crypto';
import { BatonError, InvalidInputError } from '../core/errors.js';
import type { ActionRequest, ApiErrorBody, AuditView, ApplyRequest, ApplyResult, ControllerStatus, EventsPage, HistoryEntry, LogsResult, ShutdownRequest, WorkloadDetail, WorkloadSummary } from './types.js';

/** What the handler needs of the controller (src/host/control-plane.ts implements it). */
export interface ControlApi {
  status(): ControllerStatus;
  list(): WorkloadSummary[];
  detail(name: string): WorkloadDetail;
  history(name: string): HistoryEntry[];
  act(name: string, req: ActionRequest, actor: string): Promise<WorkloadDetail>;
  apply(files: ApplyRequest['files'], actor: string): Promise<ApplyResult>;
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
const ACTIONS = new Set(['promote', 'abort', 'retry', 'pause', 'resume', 'undo', 'restart', 'set-image']);

const json = (status: number, body: unknown): Response => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const error = (status: number, code: string, message: string): Response => json(status, { error: { code, message } } satisfies ApiErrorBody);

function tokenMatches(header: string | null, token: string): boolean {
  const given = /^Bearer\s+(.+)$/i.exec(header ?? '')?.[1]?.trim();
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function intParam(params: URLSearchParams, name: string): number | undefined {
  const v = params.get(name);
  if (v === null || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidInputError('invalid-query', `${name}: ${JSON.stringify(v)} is not a whole number >= 0`);
  return n;
}

async function body<T>(req: Request): Promise<T> {
  try {
    return (await req.json()) as T;
  } catch {
    throw new InvalidInputError('invalid-body', 'the request body is not JSON');
  }
}

/** The control API handler over `api`; every `/api/v1` call must carry `token` as a Bearer token. */
export function createApiHandler(api: ControlApi, token: string): (req: Request) => Promise<Response> {
  return async (req) => {
    const url = new URL(req.url);
    const path = url.pathname;
    try {
      if (path === '/prometheus' || path.startsWith('/prometheus/')) return await api.prometheus(req);
      if (path === '/runtime/metrics') return new Response(api.runtimeMetrics(), { headers: { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' } });
      if (path === '/healthz') return json(200, { ok: true });
      if (!path.startsWith('/api/v1/')) return error(404, 'not-found', `no such path ${path}`);
      if (!tokenMatches(req.headers.get('authorization'), token)) {
        return error(401, 'unauthorized', 'a valid token is needed: Authorization: Bearer <the content of <state-dir>/api.token>');
      }
      const actor = req.headers.get('x-baton-actor') ?? 'api';
      const route = path.slice('/api/v1/'.length).split('/').map(decodeURIComponent);
      const [head, name, sub] = route;
      const method = req.method;
      if (head === 'status' && route.length === 1 && method === 'GET') return json(200, api.status());
      if (head === 'workloads') {
        if (route.length === 1 && method === 'GET') return json(200, api.list());
        if (name && route.length === 2 && method === 'GET') return json(200, api.detail(name));
        if (name && sub === 'history' && method === 'GET') return json(200, api.history(name));
        if (name && sub === 'actions' && method === 'POST') {
          const b = await body<ActionRequest>(req);
          if (!ACTIONS.has(b.action)) throw new InvalidInputError('invalid-action', `action ${JSON.stringify(b.action)} is not one of ${[...ACTIONS].join(', ')}`);
          return json(200, await api.act(name, b, actor));
        }
      }
      if (head === 'apply' && route.length === 1 && method === 'POST') {
        const b = await body<ApplyRequest>(req);
        if (!Array.isArray(b.files) || b.files.some((f) => typeof f?.path !== 'string' || typeof f.text !== 'string')) {
          throw new InvalidInputError('invalid-body', 'apply needs {"files": [{"path": "...", "text": "..."}]}');
        }
        return json(200, await api.apply(b.files, actor));
      }
      if (head === 'events' && route.length === 1 && method === 'GET') {
        const p = url.searchParams;
        const workload = p.get('workload') ?? undefined;
        const afterId = intParam(p, 'afterId');
        const limit = intParam(p, 'limit');
        const waitMs = Math.min(intParam(p, 'waitMs') ?? 0, MAX_WAIT_MS);
        return json(200, await api.waitEvents({ ...(workload ? { workload } : {}), ...(afterId !== undefined ? { afterId } : {}), ...(limit !== undefined ? { limit } : {}) }, waitMs));
      }
      if (head === 'logs' && route.length === 1 && method === 'GET') {
        const p = url.searchParams;
        const workload = p.get('workload') ?? undefined;
        const pod = p.get('pod') ?? undefined;
        const revision = intParam(p, 'revision');
        const tail = intParam(p, 'tail');
        return json(200, api.logs({ ...(workload ? { workload } : {}), ...(pod ? { pod } : {}), ...(revision !== undefined ? { revision } : {}), ...(tail !== undefined ? { tail } : {}) }));
      }
      if (head === 'audit' && route.length === 1 && method === 'GET') {
        const workload = url.searchParams.get('workload') ?? undefined;
        const limit = intParam(url.searchParams, 'limit');
        return json(200, api.audit({ ...(workload ? { workload } : {}), ...(limit !== undefined ? { limit } : {}) }));
      }
      if (head === 'shutdown' && route.length === 1 && method === 'POST') {
        const b = await body<ShutdownRequest>(req);
        api.requestShutdown({ keepServices: b.keepServices === true });
        return json(200, { ok: true });
      }
      return error(404, 'not-found', `no such endpoint ${method} ${path}`);
    } catch (e) {
      if (e instanceof InvalidInputError) return error(400, e.code, e.message);
      if (e instanceof BatonError) return error(e.code.endsWith('not-found') ? 404 : 409, e.code, e.message);
      return error(500, 'internal', e instanceof Error ? e.message : String(e));
    }
  };
}
