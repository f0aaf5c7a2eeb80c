/**
 * A real HTTP server on 127.0.0.1:0 that plays the control API of src/api/types.ts with fixture
 * data: bearer-token checking, the `{ error: { code, message } }` body, actions that change the
 * workloads, and `GET /api/v1/events?waitMs=` long polls that answer when the test adds an event.
 * Every request is recorded, so tests can check what the CLI sent (and that it sent nothing).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ActionRequest, ApplyRequest, EventView, ShutdownRequest, WorkloadDetail } from '../../../src/api/types.js';
import { backendDetail, controllerStatus, ENGINE_T0, frontendDetail, history, initialEvents, logFiles } from './fixtures.js';

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  authorization?: string;
  body?: unknown;
}

interface Poll {
  workload?: string;
  afterId: number;
  limit?: number;
  res: ServerResponse;
  timer: NodeJS.Timeout;
}

export interface FakeController {
  url: string;
  token: string;
  requests: RecordedRequest[];
  /** Bodies of `POST /api/v1/shutdown`. */
  shutdowns: ShutdownRequest[];
  /** Paths the fake takes and never answers (a controller that hangs). */
  hold: Set<string>;
  workloads: Map<string, WorkloadDetail>;
  events: EventView[];
  /** Adds an event (answering the long polls waiting for it); `change` edits the workload first. */
  emit(workload: string, type: string, message: string, change?: (d: WorkloadDetail) => void): void;
  /** Resolves once `n` long polls have been parked (waiting for an event) in all. */
  polls(n: number): Promise<void>;
  /** How many long polls have been parked so far. */
  parkedPolls(): number;
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'bad-json', 'the request body is not JSON');
  }
}

export async function startFakeController(token = 'test-token-123'): Promise<FakeController> {
  const workloads = new Map<string, WorkloadDetail>([
    ['backend', backendDetail()],
    ['frontend', frontendDetail()],
  ]);
  const events = initialEvents();
  const requests: RecordedRequest[] = [];
  const shutdowns: ShutdownRequest[] = [];
  const hold = new Set<string>();
  const polls: Poll[] = [];
  let pollCount = 0;
  const pollWaiters: { n: number; resolve: () => void }[] = [];
  let generation = 3;
  let applied = '';
  let url = '';

  const select = (workload: string | undefined, afterId: number | undefined, limit: number | undefined): { events: EventView[]; lastId: number } => {
    const mine = events.filter((e) => workload === undefined || e.workload === workload);
    // As the controller's store answers: oldest first, after `afterId`, `limit` keeping the newest.
    const after = mine.filter((e) => e.id > (afterId ?? 0));
    const picked = limit !== undefined ? after.slice(-limit) : after;
    const latest = events.length ? (events[events.length - 1]?.id ?? 0) : 0;
    return { events: picked, lastId: picked.length ? (picked[picked.length - 1]?.id ?? 0) : Math.max(afterId ?? 0, latest) };
  };

  const send = (res: ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };

  const workload = (name: string): WorkloadDetail => {
    const d = workloads.get(name);
    if (!d) throw new HttpError(404, 'workload-not-found', `workload "${name}" not found (baton list shows what runs)`);
    return d;
  };

  const act = (d: WorkloadDetail, r: ActionRequest): void => {
    if (d.kind === 'Deployment' && ['promote', 'abort', 'retry', 'undo'].includes(r.action)) {
      throw new HttpError(409, 'not-a-rollout', `${r.action} applies to Rollouts; "${d.name}" is a Deployment`);
    }
    switch (r.action) {
      case 'promote':
        Object.assign(d, r.full ? { phase: 'Progressing', message: 'promoted fully', stepIndex: d.steps.length, step: `${d.steps.length}/${d.steps.length}` } : { phase: 'Progressing', message: 'more replicas need to be updated', stepIndex: 2, step: '2/9' });
        return;
      case 'abort':
        Object.assign(d, { phase: 'Degraded', aborted: true, message: `RolloutAborted: Rollout aborted update to revision 2: ${r.reason ?? 'manually aborted'}`, canaryWeight: 0 });
        return;
      case 'retry':
        Object.assign(d, { phase: 'Progressing', aborted: false, message: 'retrying' });
        return;
      case 'pause':
        Object.assign(d, { phase: 'Paused', paused: true, message: 'manually paused' });
        return;
      case 'resume':
        Object.assign(d, { phase: 'Progressing', paused: false, message: '' });
        return;
      case 'undo':
        if (r.toRevision !== undefined && !d.revisions.some((x) => x.revision === r.toRevision)) throw new HttpError(400, 'no-such-revision', `revision ${r.toRevision} of "${d.name}" not found (baton history ${d.name} lists them)`);
        Object.assign(d, { phase: 'Progressing', message: `rolling back to revision ${r.toRevision ?? 1}` });
        return;
      case 'restart':
        Object.assign(d, { phase: 'Progressing', message: 'restarting' });
        return;
      case 'set-image':
        Object.assign(d, { phase: 'Progressing', currentImage: Object.values(r.images ?? {})[0] });
        return;
      default:
        throw new HttpError(400, 'unknown-action', `unknown action "${String((r as { action: unknown }).action)}"`);
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const u = new URL(req.url ?? '/', 'http://x');
    const query = Object.fromEntries(u.searchParams);
    const body = req.method === 'POST' ? await readBody(req) : undefined;
    requests.push({ method: req.method ?? '', path: u.pathname, query, ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}), ...(body !== undefined ? { body } : {}) });
    if (hold.has(u.pathname)) return;
    if (u.pathname.startsWith('/api/') && req.headers.authorization !== `Bearer ${token}`) {
      throw new HttpError(401, 'unauthorized', 'a valid bearer token is required');
    }
    const get = req.method === 'GET';
    const m = /^\/api\/v1\/workloads\/([^/]+)(\/history|\/actions)?$/.exec(u.pathname);
    if (get && u.pathname === '/api/v1/status') return send(res, 200, { ...controllerStatus(url), generation });
    if (get && u.pathname === '/api/v1/workloads') {
      return send(res, 200, [...workloads.values()].map(({ revisions: _r, analysisRuns: _a, steps: _s, stepIndex: _i, stableRevision: _sr, currentRevision: _cr, aborted: _ab, paused: _p, timeScale: _t, ...summary }) => summary));
    }
    if (m) {
      const name = decodeURIComponent(m[1] ?? '');
      if (get && !m[2]) return send(res, 200, workload(name));
      if (get && m[2] === '/history') {
        workload(name);
        return send(res, 200, history()[name] ?? []);
      }
      if (req.method === 'POST' && m[2] === '/actions') {
        const d = workload(name);
        act(d, body as ActionRequest);
        return send(res, 200, d);
      }
    }
    if (req.method === 'POST' && u.pathname === '/api/v1/apply') {
      const files = (body as ApplyRequest).files;
      const key = JSON.stringify(files);
      const changed = key !== applied;
      if (changed) generation++;
      applied = key;
      return send(res, 200, { generation, changed, warnings: [`${files[0]?.path ?? ''}:1 kind: ConfigMap (v1) is not a kind Baton reads; it is ignored`], dryRun: false, created: [], configured: [], unchanged: [], pruned: [] });
    }
    if (get && u.pathname === '/api/v1/events') {
      const afterId = query.afterId !== undefined ? Number(query.afterId) : undefined;
      const limit = query.limit !== undefined ? Number(query.limit) : undefined;
      const page = select(query.workload, afterId, limit);
      const waitMs = Number(query.waitMs ?? 0);
      if (page.events.length > 0 || !(waitMs > 0) || afterId === undefined) return send(res, 200, page);
      const poll: Poll = { afterId, res, timer: setTimeout(() => answer(poll), waitMs), ...(query.workload !== undefined ? { workload: query.workload } : {}), ...(limit !== undefined ? { limit } : {}) };
      polls.push(poll);
      pollCount++;
      for (const w of pollWaiters.filter((x) => pollCount >= x.n)) w.resolve();
      return;
    }
    if (get && u.pathname === '/api/v1/logs') {
      const name = query.workload ?? '';
      workload(name);
      let files = (logFiles()[name] ?? []).filter((f) => query.pod === undefined || f.pod === query.pod).filter((f) => query.revision === undefined || workload(name).revisions.find((r) => r.revision === Number(query.revision))?.pods.some((p) => p.name === f.pod));
      if (query.tail !== undefined) files = files.map((f) => ({ ...f, text: f.text.split('\n').slice(0, -1).slice(-Number(query.tail)).join('\n') + '\n' }));
      return send(res, 200, { files });
    }
    if (req.method === 'POST' && u.pathname === '/api/v1/shutdown') {
      shutdowns.push(body as ShutdownRequest);
      return send(res, 200, { ok: true });
    }
    if (get && u.pathname === '/runtime/metrics') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end('kube_pod_status_ready{namespace="tbyte",pod="backend-5d8f9c7b6-x0y0z",condition="true"} 1\n');
      return;
    }
    throw new HttpError(404, 'not-found', `no route ${req.method ?? ''} ${u.pathname}`);
  };

  function answer(poll: Poll): void {
    clearTimeout(poll.timer);
    const i = polls.indexOf(poll);
    if (i >= 0) polls.splice(i, 1);
    send(poll.res, 200, select(poll.workload, poll.afterId, poll.limit));
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (e instanceof HttpError) send(res, e.status, { error: { code: e.code, message: e.message } });
      else send(res, 500, { error: { code: 'internal', message: e instanceof Error ? e.message : String(e) } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    token,
    requests,
    shutdowns,
    hold,
    workloads,
    events,
    emit(name, type, message, change) {
      const d = workloads.get(name);
      if (d && change) change(d);
      const id = (events[events.length - 1]?.id ?? 0) + 1;
      events.push({ id, at: ENGINE_T0 + id * 1000, workload: name, type, message, fields: {} });
      for (const poll of [...polls]) if (poll.workload === undefined || poll.workload === name) answer(poll);
    },
    parkedPolls: () => pollCount,
    polls(n) {
      if (pollCount >= n) return Promise.resolve();
      return new Promise((resolve) => pollWaiters.push({ n, resolve }));
    },
    close() {
      for (const poll of [...polls]) clearTimeout(poll.timer);
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
