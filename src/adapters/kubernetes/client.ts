/**
 * A thin Kubernetes API client over undici: JSON requests (get, list, create, update, patch,
 * delete) and watch streams, with the connection's TLS and credentials. Failures are typed: an
 * answer with an error status is a {@link KubeApiError} carrying the API's `Status` (reason
 * `Conflict`, `NotFound`, `AlreadyExists`, `Expired`/410 `Gone`); no answer at all is a
 * {@link KubeUnreachableError}. Every request is counted by verb and resource, for the
 * controller's metrics and the benchmark's "requests per step".
 */
import { Agent, request, type Dispatcher } from 'undici';
import { BatonError } from '../../core/errors.js';
import type { KubeConnection } from './kubeconfig.js';
import { resourcePath, type KubeObject, type ResourceType } from './resources.js';

/** The API server answered with an error status. */
export class KubeApiError extends BatonError {
  constructor(
    readonly status: number,
    /** The Status object's `reason` (`Conflict`, `NotFound`, `AlreadyExists`, `Expired`, `Invalid`, ...). */
    readonly reason: string,
    message: string,
    details: Record<string, unknown> = {},
  ) {
    super('kube-api-error', message, { status, reason, ...details });
  }
}

/** No answer: connection refused or reset, TLS failure, timeout. */
export class KubeUnreachableError extends BatonError {}

export const isNotFound = (e: unknown): boolean => e instanceof KubeApiError && e.status === 404;
export const isConflict = (e: unknown): boolean => e instanceof KubeApiError && e.status === 409 && e.reason === 'Conflict';
export const isAlreadyExists = (e: unknown): boolean => e instanceof KubeApiError && e.status === 409 && e.reason === 'AlreadyExists';
/** 410 Gone: the resourceVersion a watch or list asked for is too old; relist. */
export const isGone = (e: unknown): boolean => e instanceof KubeApiError && e.status === 410;

export type PatchType = 'merge' | 'json' | 'strategic';
const PATCH_CONTENT_TYPES: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
  strategic: 'application/strategic-merge-patch+json',
};

export interface ListResult<T> {
  items: T[];
  resourceVersion: string;
}

/** One event of a watch stream (`ERROR` carries a Status object). */
export interface WatchEvent<T = KubeObject> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: T;
}

export interface KubeClientOptions {
  userAgent?: string;
  /** Per request, except watches (default 30 s). */
  timeoutMs?: number;
}

/** Requests with the same connection; see the file comment. */
export class KubeClient {
  private readonly agent: Dispatcher;
  /** `VERB resource` -> count, e.g. `PATCH rollouts/status`. */
  readonly requestCounts = new Map<string, number>();

  constructor(
    readonly connection: KubeConnection,
    private readonly opts: KubeClientOptions = {},
  ) {
    const tls: Record<string, unknown> = { rejectUnauthorized: !connection.insecureSkipTlsVerify };
    if (connection.ca) tls.ca = connection.ca;
    if (connection.cert) tls.cert = connection.cert;
    if (connection.key) tls.key = connection.key;
    this.agent = new Agent({ connect: tls, keepAliveTimeout: 30_000, pipelining: 1 });
  }

  /** Total requests so far. */
  get requestTotal(): number {
    let n = 0;
    for (const v of this.requestCounts.values()) n += v;
    return n;
  }

  async get<T = KubeObject>(rt: ResourceType, namespace: string | undefined, name: string): Promise<T> {
    return this.json<T>('GET', resourcePath(rt, namespace, name), { rt });
  }

  async list<T = KubeObject>(rt: ResourceType, namespace?: string, query: Record<string, string> = {}): Promise<ListResult<T>> {
    const out = await this.json<{ items?: T[]; metadata?: { resourceVersion?: string } }>('GET', resourcePath(rt, namespace) + qs(query), { rt, verb: 'LIST' });
    return { items: out.items ?? [], resourceVersion: out.metadata?.resourceVersion ?? '' };
  }

  async create<T = KubeObject>(rt: ResourceType, namespace: string | undefined, body: object): Promise<T> {
    return this.json<T>('POST', resourcePath(rt, namespace), { rt, body });
  }

  /** PUT: fails with 409 Conflict when `body.metadata.resourceVersion` is not the current one. */
  async update<T = KubeObject>(rt: ResourceType, namespace: string | undefined, name: string, body: object, subresource?: string): Promise<T> {
    return this.json<T>('PUT', resourcePath(rt, namespace, name, subresource), { rt, body, subresource });
  }

  async patch<T = KubeObject>(rt: ResourceType, namespace: string | undefined, name: string, body: unknown, type: PatchType = 'merge', subresource?: string): Promise<T> {
    return this.json<T>('PATCH', resourcePath(rt, namespace, name, subresource), { rt, body, contentType: PATCH_CONTENT_TYPES[type], subresource });
  }

  async delete(rt: ResourceType, namespace: string | undefined, name: string, propagationPolicy: 'Background' | 'Foreground' | 'Orphan' = 'Background'): Promise<void> {
    await this.json('DELETE', resourcePath(rt, namespace, name), { rt, body: { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy } });
  }

  /** Raw GET of any path (`/version`, `/readyz`). */
  async raw<T>(path: string): Promise<T> {
    return this.json<T>('GET', path, {});
  }

  /**
   * Opens a watch from `resourceVersion` and calls `onEvent` for each event until the server
   * ends the stream (resolves), `signal` aborts (resolves), or the connection fails (rejects).
   */
  async watch<T = KubeObject>(rt: ResourceType, namespace: string | undefined, query: Record<string, string>, onEvent: (e: WatchEvent<T>) => void, signal: AbortSignal): Promise<void> {
    const path = resourcePath(rt, namespace) + qs({ ...query, watch: '1', allowWatchBookmarks: 'true' });
    this.count('WATCH', rt);
    let res: Dispatcher.ResponseData;
    try {
      res = await request(this.connection.server + path, { method: 'GET', headers: await this.headers(), dispatcher: this.agent, signal, bodyTimeout: 0 });
    } catch (e) {
      if (signal.aborted) return;
      throw this.unreachable('GET', path, e);
    }
    if (res.statusCode >= 300) throw await this.apiError('GET', path, res);
    let buffered = '';
    try {
      for await (const chunk of res.body as AsyncIterable<Buffer>) {
        buffered += chunk.toString('utf8');
        let nl: number;
        while ((nl = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, nl).trim();
          buffered = buffered.slice(nl + 1);
          if (line) onEvent(JSON.parse(line) as WatchEvent<T>);
        }
      }
    } catch (e) {
      if (signal.aborted) return;
      throw this.unreachable('GET', path, e);
    }
  }

  close(): Promise<void> {
    return this.agent.close();
  }

  private count(verb: string, rt: ResourceType | undefined, subresource?: string): void {
    const key = `${verb} ${rt ? rt.plural : 'raw'}${subresource ? `/${subresource}` : ''}`;
    this.requestCounts.set(key, (this.requestCounts.get(key) ?? 0) + 1);
  }

  private async headers(contentType?: string): Promise<Record<string, string>> {
    const h: Record<string, string> = { accept: 'application/json', 'user-agent': this.opts.userAgent ?? 'baton' };
    if (contentType) h['content-type'] = contentType;
    const token = await this.connection.token?.();
    if (token) h.authorization = `Bearer ${token}`;
    return h;
  }

  private async json<T>(method: Dispatcher.HttpMethod, path: string, o: { rt?: ResourceType; verb?: string; body?: unknown; contentType?: string; subresource?: string }): Promise<T> {
    this.count(o.verb ?? method, o.rt, o.subresource);
    const payload = o.body === undefined ? undefined : JSON.stringify(o.body);
    let res: Dispatcher.ResponseData;
    try {
      res = await request(this.connection.server + path, {
        method,
        headers: await this.headers(payload !== undefined ? (o.contentType ?? 'application/json') : undefined),
        body: payload,
        dispatcher: this.agent,
        headersTimeout: this.opts.timeoutMs ?? 30_000,
        bodyTimeout: this.opts.timeoutMs ?? 30_000,
      });
    } catch (e) {
      throw this.unreachable(method, path, e);
    }
    if (res.statusCode >= 300) throw await this.apiError(method, path, res);
    const text = await res.body.text();
    return (text ? JSON.parse(text) : {}) as T;
  }

  private unreachable(method: string, path: string, e: unknown): KubeUnreachableError {
    const cause = e instanceof Error ? ((e as { cause?: unknown }).cause instanceof Error ? (e.cause as Error).message : e.message) : String(e);
    return new KubeUnreachableError('kube-unreachable', `${method} ${this.connection.server}${path}: ${cause}`, { server: this.connection.server, path });
  }

  private async apiError(method: string, path: string, res: Dispatcher.ResponseData): Promise<KubeApiError> {
    const text = await res.body.text().catch(() => '');
    let reason = '';
    let message = text.trim() || `HTTP ${res.statusCode}`;
    try {
      const status = JSON.parse(text) as { reason?: string; message?: string };
      reason = status.reason ?? '';
      if (status.message) message = status.message;
    } catch {
      // not a Status object: keep the body as the message
    }
    return new KubeApiError(res.statusCode, reason, `${method} ${path}: ${res.statusCode} ${reason ? `${reason}: ` : ''}${message}`, { path });
  }
}

function qs(query: Record<string, string>): string {
  const entries = Object.entries(query).filter(([, v]) => v !== '');
  return entries.length ? `?${new URLSearchParams(entries).toString()}` : '';
}
