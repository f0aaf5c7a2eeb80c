/**
 * The control API client every runtime verb uses (`apply`, `list`, `get`, `status`, the actions,
 * `history`, `logs`, `events`). It finds the controller the way docs/cli.md says: `--server URL
 * --token T` names a controller directly; otherwise `<state-dir>/controller.json` (written by
 * `baton up`) gives its URL and `<state-dir>/api.token` its token.
 *
 * Every failure is a `BatonError` whose message says what to do, so the CLI prints one line and
 * exits with the code src/cli/exit.ts gives its situation: no controller.json, a controller that does not answer, a refused token, and the
 * controller's own error bodies (`{ "error": { "code", "message" } }`, src/api/types.ts).
 */
import { hostname, userInfo } from 'node:os';
import { existsSync } from 'node:fs';
import { InvalidArgumentError, Option, type Command } from 'commander';
import type {
  ActionRequest,
  ApiErrorBody,
  ApplyRequest,
  ApplyResult,
  ControllerStatus,
  EventsPage,
  HistoryEntry,
  LogsResult,
  ShutdownRequest,
  WorkloadDetail,
  WorkloadSummary,
} from '../api/types.js';
import { BatonError } from '../core/errors.js';
import { isAlive, readJson, readToken, type ControllerInfo } from '../host/state-dir.js';
import { describeTried, findStateDir } from './state-lookup.js';

/** Where to find the controller: the options every runtime verb takes. */
export interface ApiClientOptions {
  /** `--state-dir`; else `BATON_STATE_DIR`, else the nearest `.baton` upward (src/cli/state-lookup.ts). */
  stateDir?: string;
  /** `--server URL`: a controller named directly (then the state dir is not read). */
  server?: string;
  /** `--token T`; else the state dir's `api.token` (never sent to a `--server` it did not come from). */
  token?: string;
  /** For tests; default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Where the upward look for `.baton` starts; default the working directory. */
  cwd?: string;
  /** How long a plain call may take; default 30 s. Long polls add their `waitMs` to it. */
  timeoutMs?: number;
}

/** `GET /api/v1/events` query. */
export interface EventsQuery {
  workload?: string;
  afterId?: number;
  limit?: number;
  /** Long-poll: the controller answers once an event newer than `afterId` exists, or after waitMs. */
  waitMs?: number;
}

/** `GET /api/v1/logs` query. */
export interface LogsQuery {
  workload: string;
  revision?: number;
  pod?: string;
  tail?: number;
}

/** Typed calls for every endpoint of src/api/types.ts. */
export interface ApiClient {
  /** The control API base URL in use. */
  readonly url: string;
  status(): Promise<ControllerStatus>;
  listWorkloads(): Promise<WorkloadSummary[]>;
  getWorkload(name: string): Promise<WorkloadDetail>;
  history(name: string): Promise<HistoryEntry[]>;
  act(name: string, request: ActionRequest): Promise<WorkloadDetail>;
  apply(request: ApplyRequest): Promise<ApplyResult>;
  /** `signal` ends a long poll early (Ctrl-C in `--watch`); the call then rejects with its reason. */
  events(query?: EventsQuery, signal?: AbortSignal): Promise<EventsPage>;
  logs(query: LogsQuery): Promise<LogsResult>;
  shutdown(request?: ShutdownRequest): Promise<{ ok: true }>;
  /** `GET /runtime/metrics`: `kube_pod_status_ready` in the Prometheus text format. */
  runtimeMetrics(): Promise<string>;
}

const DEFAULT_TIMEOUT_MS = 30_000;

/** Where the controller is and how it was found (for messages that say what to do). */
interface Target {
  url: string;
  token?: string;
  /** Set when found through a state dir's controller.json. */
  stateDir?: string;
  pid?: number;
}

function findTarget(opts: ApiClientOptions): Target {
  if (opts.server !== undefined) {
    return { url: checkServerUrl(opts.server), ...(opts.token ? { token: opts.token } : {}) };
  }
  const lookup = findStateDir(opts.stateDir, opts.env ?? process.env, opts.cwd ?? process.cwd());
  const dir = lookup.dir;
  const info = readJson<Partial<ControllerInfo>>(dir.controller);
  if (info === undefined) {
    if (existsSync(dir.controller)) {
      throw new BatonError('controller-info-invalid', `${dir.controller} cannot be read as JSON: start the controller again with \`baton up\` (it resumes the set in force; \`-f <manifests>\` on a new state dir)`, { path: dir.controller });
    }
    const where = lookup.from === 'search' ? `no controller is running: no controller.json in ${describeTried(lookup.tried)}` : `no controller is running on ${dir.root} (from ${lookup.from === 'flag' ? '--state-dir' : 'BATON_STATE_DIR'})`;
    throw new BatonError('controller-not-running', `${where}: start one with \`baton up -f <manifests>\`, or pass --state-dir / --server`, { stateDir: dir.root, tried: lookup.tried });
  }
  if (typeof info.api !== 'string' || !/^https?:\/\//.test(info.api)) {
    throw new BatonError('controller-info-invalid', `${dir.controller} has no control API URL ("api"): start the controller again with \`baton up\` (it resumes the set in force; \`-f <manifests>\` on a new state dir)`, { path: dir.controller });
  }
  // The token file is only sent to the controller named next to it.
  const token = opts.token ?? readToken(dir);
  return { url: info.api, stateDir: dir.root, ...(token ? { token } : {}), ...(typeof info.pid === 'number' ? { pid: info.pid } : {}) };
}

/** `--server` must be an http(s) URL; the value is returned without a trailing slash. */
export function checkServerUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new BatonError('invalid-server', `--server "${value}" is not a URL (e.g. http://127.0.0.1:7070)`, { server: value });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new BatonError('invalid-server', `--server "${value}" must be an http:// or https:// URL`, { server: value });
  }
  return value.replace(/\/+$/, '');
}

function unreachable(target: Target, reason: string): BatonError {
  const dead = target.pid !== undefined && !isAlive(target.pid) ? ` (its pid ${target.pid} is not running)` : '';
  const hint = target.stateDir !== undefined ? 'it may have stopped; start it again with `baton up` (it resumes the set in force)' : 'check --server, or start it with `baton up`';
  return new BatonError('controller-unreachable', `the controller at ${target.url} is not answering${dead}: ${reason}; ${hint}`, { url: target.url, reason });
}

/** The network error code under fetch's `TypeError: fetch failed` (ECONNREFUSED, ENOTFOUND, ...). */
function networkCode(e: unknown): string | undefined {
  let cur: unknown = e;
  for (let i = 0; i < 4 && cur instanceof Error; i++) {
    const code = (cur as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && code.startsWith('E')) return code;
    cur = cur.cause;
  }
  return undefined;
}

function describeNetworkError(e: unknown): string {
  const code = networkCode(e);
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return 'the connection was closed';
    case 'ENOTFOUND':
      return 'host not found';
    case undefined:
      return e instanceof Error && e.cause instanceof Error ? e.cause.message : e instanceof Error ? e.message : String(e);
    default:
      return code;
  }
}

function isApiErrorBody(v: unknown): v is ApiErrorBody {
  if (typeof v !== 'object' || v === null) return false;
  const error = (v as { error?: unknown }).error;
  return typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string';
}

/** Builds the client; throws `controller-not-running` when the state dir has no controller.json. */
export function createApiClient(opts: ApiClientOptions = {}): ApiClient {
  const target = findTarget(opts);
  const base = target.url.endsWith('/') ? target.url : `${target.url}/`;
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;

  async function send(method: 'GET' | 'POST', path: string, body?: unknown, extraMs = 0, signal?: AbortSignal): Promise<Response> {
    const url = new URL(path, base);
    // Who did what: the controller's audit record names the user and machine of each call.
    const headers: Record<string, string> = { accept: 'application/json', 'x-baton-actor': cliActor() };
    if (target.token) headers.authorization = `Bearer ${target.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const timeout = AbortSignal.timeout(timeoutMs + extraMs);
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
    } catch (e) {
      if (signal?.aborted) throw signal.reason;
      if (timeout.aborted) {
        throw new BatonError('controller-timeout', `the controller at ${target.url} did not answer ${method} ${url.pathname} within ${Math.round((timeoutMs + extraMs) / 1000)}s`, { url: target.url });
      }
      throw unreachable(target, describeNetworkError(e));
    }
    if (res.status === 401 || res.status === 403) {
      await res.body?.cancel();
      const what = target.token ? 'refused the token' : 'needs a token';
      const hint = target.stateDir !== undefined ? `${target.stateDir}/api.token` : "the state dir's api.token";
      throw new BatonError('token-refused', `the controller at ${target.url} ${what}: pass --token (the content of ${hint} on the controller's machine), or run on the controller's machine as a user who can read that file`, { url: target.url, status: res.status });
    }
    if (!res.ok) {
      const text = await res.text();
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      if (isApiErrorBody(parsed)) {
        throw new BatonError(typeof parsed.error.code === 'string' && parsed.error.code ? parsed.error.code : 'api-error', parsed.error.message, { url: target.url, status: res.status });
      }
      const excerpt = text.trim().slice(0, 200);
      throw new BatonError('api-error', `the controller at ${target.url} answered ${method} ${url.pathname} with HTTP ${res.status}${excerpt ? `: ${excerpt}` : ''}`, { url: target.url, status: res.status });
    }
    return res;
  }

  async function json<T>(method: 'GET' | 'POST', path: string, body?: unknown, extraMs = 0, signal?: AbortSignal): Promise<T> {
    const res = await send(method, path, body, extraMs, signal);
    const text = await res.text();
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new BatonError('bad-response', `the controller at ${target.url} answered ${method} ${path} with something that is not JSON: ${text.trim().slice(0, 120)}`, { url: target.url });
    }
  }

  const workloadPath = (name: string, rest = ''): string => `api/v1/workloads/${encodeURIComponent(name)}${rest}`;

  return {
    url: target.url,
    status: () => json<ControllerStatus>('GET', 'api/v1/status'),
    listWorkloads: () => json<WorkloadSummary[]>('GET', 'api/v1/workloads'),
    getWorkload: (name) => json<WorkloadDetail>('GET', workloadPath(name)),
    history: (name) => json<HistoryEntry[]>('GET', workloadPath(name, '/history')),
    act: (name, request) => json<WorkloadDetail>('POST', workloadPath(name, '/actions'), request),
    apply: (request) => json<ApplyResult>('POST', 'api/v1/apply', request),
    events: (query = {}, signal) => json<EventsPage>('GET', `api/v1/events${queryString(query)}`, undefined, query.waitMs ?? 0, signal),
    logs: (query) => json<LogsResult>('GET', `api/v1/logs${queryString(query)}`),
    shutdown: (request = {}) => json<{ ok: true }>('POST', 'api/v1/shutdown', request),
    runtimeMetrics: async () => (await send('GET', 'runtime/metrics')).text(),
  };
}

function queryString(query: object): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined) params.set(k, String(v));
  }
  const s = params.toString();
  return s ? `?${s}` : '';
}

/** The connection options every runtime verb takes, as commander gives them. */
export interface ConnectionOptions {
  stateDir?: string;
  server?: string;
  token?: string;
}

/** Adds `--state-dir`, `--server` and `--token` to a verb. */
export function addConnectionOptions(command: Command): Command {
  return command
    .option('--state-dir <dir>', 'the controller\'s state directory (default: $BATON_STATE_DIR, else the nearest .baton with a running controller, from here upward)')
    .addOption(new Option('--server <url>', 'a controller\'s API URL, e.g. http://10.0.0.5:7070 (with --token)').argParser(parseServerOption))
    .option('--token <token>', 'the API token (default: <state-dir>/api.token)');
}

function parseServerOption(value: string): string {
  try {
    return checkServerUrl(value);
  } catch (e) {
    throw new InvalidArgumentError(e instanceof Error ? e.message : String(e));
  }
}

/** `-o json` and `-o yaml`: the API's answer as it is, instead of the text. */
export function addOutputOption(command: Command): Command {
  return command.addOption(new Option('-o, --output <format>', 'print the API\'s answer as it is, as JSON or YAML').choices(['json', 'yaml']));
}

/** A client for the options a verb was given. */
export function clientFor(opts: ConnectionOptions): ApiClient {
  return createApiClient({
    ...(opts.stateDir !== undefined ? { stateDir: opts.stateDir } : {}),
    ...(opts.server !== undefined ? { server: opts.server } : {}),
    ...(opts.token !== undefined ? { token: opts.token } : {}),
  });
}

/**
 * An AbortSignal that fires on SIGINT or SIGTERM, so Ctrl-C ends `--watch` and `status` with
 * exit 0 instead of killing a request in flight; `dispose` removes the handlers.
 */
export function interruptSignal(): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const stop = (): void => controller.abort(new BatonError('interrupted', 'interrupted'));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return {
    signal: controller.signal,
    dispose: () => {
      process.removeListener('SIGINT', stop);
      process.removeListener('SIGTERM', stop);
    },
  };
}

/** The newest event id (of `workload` when given), so a follower sees only what comes after it. */
export async function latestEventId(client: ApiClient, workload?: string): Promise<number> {
  const page = await client.events({ ...(workload !== undefined ? { workload } : {}), limit: 1 });
  return page.lastId;
}

/** How long one long poll waits for an event before the follower re-reads state anyway. */
export const LONG_POLL_MS = 25_000;

/**
 * Long-polls `GET /api/v1/events` for events newer than `afterId` and yields each page: at once
 * when events happen, empty after `waitMs` without any (callers may re-read state then). Ends
 * quietly when `signal` aborts; any other failure is thrown.
 */
export async function* followEvents(
  client: ApiClient,
  query: { workload?: string; afterId: number; limit?: number; waitMs?: number },
  signal: AbortSignal,
): AsyncGenerator<EventsPage> {
  let afterId = query.afterId;
  while (!signal.aborted) {
    let page: EventsPage;
    try {
      page = await client.events({ ...query, afterId, waitMs: query.waitMs ?? LONG_POLL_MS }, signal);
    } catch (e) {
      if (signal.aborted) return;
      throw e;
    }
    // Ids only move forward here: an empty page whose lastId is 0 must not make the follower
    // replay every event from the start.
    afterId = Math.max(afterId, page.lastId, ...page.events.map((e) => e.id));
    yield page;
  }
}

/** `cli:<user>@<host>`, for the controller's audit record. */
function cliActor(): string {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // No passwd entry for this uid (some containers): the uid still identifies the caller.
    user = `uid${process.getuid?.() ?? ''}`;
  }
  return `cli:${user}@${hostname()}`;
}
