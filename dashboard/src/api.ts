/**
 * The control API as the page calls it: same origin, the session cookie sent by the browser,
 * and the `X-Baton-CSRF` header on every call (the server requires it on state-changing calls
 * made with the cookie; see docs/dashboard.md). URLs are relative, so the page also works
 * behind a proxy under a path.
 */
import type { ActionRequest, ApiErrorBody, AuditView, EventsPage, SessionView, WorkloadDetail, WorkloadSummary } from '../../src/api/types.js';

/** A refused or failed call, with the server's error code and message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const unauthorizedListeners = new Set<() => void>();

/** Called whenever the server answers 401 (the session ended): the app shows the sign-in page. */
export function onUnauthorized(fn: () => void): () => void {
  unauthorizedListeners.add(fn);
  return () => unauthorizedListeners.delete(fn);
}

async function call<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
  let r: Response;
  try {
    r = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: { accept: 'application/json', 'x-baton-csrf': '1', ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  } catch (e) {
    throw new ApiError(0, 'unreachable', `the controller does not answer (${e instanceof Error ? e.message : String(e)})`);
  }
  const text = await r.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!r.ok) {
    const err = (parsed as ApiErrorBody | undefined)?.error;
    if (r.status === 401) for (const fn of unauthorizedListeners) fn();
    throw new ApiError(r.status, err?.code ?? `http-${r.status}`, err?.message ?? `${method} ${path} answered ${r.status}`);
  }
  return parsed as T;
}

const q = (params: Record<string, string | number | undefined>): string => {
  const s = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) s.set(k, String(v));
  const t = s.toString();
  return t ? `?${t}` : '';
};

const workload = (name: string): string => `api/v1/workloads/${encodeURIComponent(name)}`;

export const api = {
  session: () => call<SessionView>('GET', 'api/v1/session'),
  /** Signs in: the token goes as a Bearer token, checked before anything else; the answer sets the cookie. */
  signIn: (token: string) => call<SessionView>('POST', 'api/v1/session', undefined, { authorization: `Bearer ${token}` }),
  signOut: () => call<{ signedIn: false }>('DELETE', 'api/v1/session'),
  list: () => call<WorkloadSummary[]>('GET', 'api/v1/workloads'),
  detail: (name: string) => call<WorkloadDetail>('GET', workload(name)),
  events: (p: { workload?: string; afterId?: number; limit?: number }) => call<EventsPage>('GET', `api/v1/events${q(p)}`),
  audit: (name: string, limit = 50) => call<AuditView[]>('GET', `api/v1/audit${q({ workload: name, limit })}`),
  act: (name: string, req: ActionRequest) => call<WorkloadDetail>('POST', `${workload(name)}/actions`, req),
};

/** The URL of the event stream (server-sent events) after `afterId`. */
export const eventStreamUrl = (afterId: number | undefined): string => `api/v1/events/stream${q({ afterId })}`;
