/**
 * The dashboard's doors on a real socket: its page without a token, the `?token=` link and the
 * sign-in call setting an HttpOnly SameSite=Strict cookie, the cookie as a second way to carry
 * the token (with expiry), and the CSRF checks on cookie-authenticated calls. Bearer calls (the
 * CLI's) are unchanged.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFetchServer, type RunningFetchServer } from '../../src/adapters/http/fetch-server.js';
import { issueSession } from '../../src/api/dashboard/session.js';
import { createApiHandler, type ControlApi } from '../../src/api/handler.js';
import type { ActionRequest } from '../../src/api/types.js';
import { tempDir } from '../support/net.js';

const TOKEN = 'dashboard-test-token-0123456789';
const acts: { name: string; req: ActionRequest; actor: string }[] = [];
const api: ControlApi = {
  status: () => ({ pid: 1 }) as never,
  list: () => [],
  detail: (name) => ({ name }) as never,
  history: () => [],
  act: (name, req, actor) => {
    acts.push({ name, req, actor });
    return Promise.resolve({ name } as never);
  },
  apply: () => Promise.reject(new Error('not used')),
  waitEvents: () => Promise.resolve({ events: [], lastId: 0 }),
  logs: () => ({ files: [] }),
  audit: () => [],
  runtimeMetrics: () => '',
  prometheus: () => Promise.resolve(new Response('{"status":"success"}', { headers: { 'content-type': 'application/json' } })),
  requestShutdown: () => {},
};

let server: RunningFetchServer;
let unbuilt: RunningFetchServer;
let now = Date.parse('2025-01-01T00:00:00Z');
let removeDir: () => Promise<void>;
beforeAll(async () => {
  const dir = await tempDir('baton-dashboard-');
  removeDir = dir.remove;
  mkdirSync(join(dir.path, 'assets'));
  writeFileSync(join(dir.path, 'index.html'), '<!doctype html><title>Baton</title><script type="module" src="./assets/app-1a2b.js"></script>');
  writeFileSync(join(dir.path, 'assets', 'app-1a2b.js'), 'console.log("baton")');
  server = await startFetchServer('127.0.0.1', 0, createApiHandler(api, TOKEN, { dir: dir.path, now: () => now }));
  unbuilt = await startFetchServer('127.0.0.1', 0, createApiHandler(api, TOKEN, { dir: join(dir.path, 'missing') }));
});
afterAll(async () => {
  await server.close();
  await unbuilt.close();
  await removeDir();
});

const cookieName = (): string => `baton_session_${new URL(server.url).port}`;

/** Signs in with the Bearer token and returns the cookie pair (`name=value`) it set. */
async function signIn(): Promise<string> {
  const r = await fetch(`${server.url}/api/v1/session`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } });
  expect(r.status).toBe(200);
  const set = r.headers.getSetCookie();
  expect(set).toHaveLength(1);
  return (set[0] ?? '').split(';')[0] ?? '';
}

describe('the page', () => {
  it('is served at / without a token, with headers that keep it to its own origin', async () => {
    const r = await fetch(`${server.url}/`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect(r.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(r.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(r.headers.get('referrer-policy')).toBe('no-referrer');
    expect(await r.text()).toContain('./assets/app-1a2b.js');
    const js = await fetch(`${server.url}/assets/app-1a2b.js`);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('cache-control')).toContain('immutable');
    expect(await js.text()).toBe('console.log("baton")');
  });

  it('answers 404 for a file it does not have, and never serves outside its directory', async () => {
    expect((await fetch(`${server.url}/assets/nope.js`)).status).toBe(404);
    expect((await fetch(`${server.url}/assets/..%2f..%2fpackage.json`)).status).toBe(404);
    expect((await fetch(`${server.url}/etc/passwd`)).status).toBe(404);
  });

  it('says how to build it when it was not built', async () => {
    const r = await fetch(`${unbuilt.url}/`);
    expect(r.status).toBe(503);
    expect(await r.text()).toContain('npm run build:dashboard');
  });
});

describe('signing in', () => {
  it('?token= sets an HttpOnly, SameSite=Strict cookie and redirects to the bare page', async () => {
    const r = await fetch(`${server.url}/?token=${TOKEN}`, { redirect: 'manual' });
    expect(r.status).toBe(303);
    expect(r.headers.get('location')).toBe('./');
    const [cookie] = r.headers.getSetCookie();
    expect(cookie).toMatch(new RegExp(`^${cookieName()}=\\d+\\.[A-Za-z0-9_-]{43}; Path=/; Max-Age=43200; HttpOnly; SameSite=Strict$`));
    // The cookie never holds the token itself.
    expect(cookie).not.toContain(TOKEN);
  });

  it('a wrong ?token= sets nothing and redirects to the sign-in page saying so', async () => {
    const r = await fetch(`${server.url}/?token=wrong`, { redirect: 'manual' });
    expect(r.status).toBe(303);
    expect(r.headers.get('location')).toBe('./?signin=refused');
    expect(r.headers.getSetCookie()).toEqual([]);
  });

  it('the cookie carries the token: reads work with it, not without it', async () => {
    const cookie = await signIn();
    expect((await fetch(`${server.url}/api/v1/workloads`)).status).toBe(401);
    const r = await fetch(`${server.url}/api/v1/workloads`, { headers: { cookie } });
    expect(r.status).toBe(200);
    const s = await fetch(`${server.url}/api/v1/session`, { headers: { cookie } });
    expect(await s.json()).toEqual({ signedIn: true, via: 'cookie', role: 'admin', expiresAt: now + 12 * 3600_000 });
  });

  it('a session ends after 12 hours, and a session of another token is refused', async () => {
    const cookie = await signIn();
    const before = now;
    try {
      now += 12 * 3600_000 - 1;
      expect((await fetch(`${server.url}/api/v1/status`, { headers: { cookie } })).status).toBe(200);
      now += 1;
      const r = await fetch(`${server.url}/api/v1/status`, { headers: { cookie } });
      expect(r.status).toBe(401);
      expect(((await r.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
    } finally {
      now = before;
    }
    const forged = `${cookieName()}=${issueSession('another-token-0123456789abc', now)}`;
    expect((await fetch(`${server.url}/api/v1/status`, { headers: { cookie: forged } })).status).toBe(401);
  });

  it('a cookie of another port (another controller) is not this one', async () => {
    const cookie = (await signIn()).replace(cookieName(), 'baton_session_1');
    expect((await fetch(`${server.url}/api/v1/status`, { headers: { cookie } })).status).toBe(401);
  });

  it('signing out clears the cookie', async () => {
    const cookie = await signIn();
    const r = await fetch(`${server.url}/api/v1/session`, { method: 'DELETE', headers: { cookie, 'x-baton-csrf': '1' } });
    expect(r.status).toBe(200);
    expect(r.headers.getSetCookie()[0]).toMatch(new RegExp(`^${cookieName()}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict$`));
  });
});

describe('CSRF with the cookie', () => {
  const promote = (headers: Record<string, string>): Promise<Response> =>
    fetch(`${server.url}/api/v1/workloads/web/actions`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ action: 'promote' }) });

  it('an action with the cookie needs the X-Baton-CSRF header', async () => {
    const cookie = await signIn();
    acts.length = 0;
    const refused = await promote({ cookie });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('cross-site-refused');
    expect(acts).toEqual([]);
    const ok = await promote({ cookie, 'x-baton-csrf': '1', origin: server.url, 'sec-fetch-site': 'same-origin' });
    expect(ok.status).toBe(200);
    // Recorded as the dashboard's doing in the audit.
    expect(acts).toEqual([{ name: 'web', req: { action: 'promote' }, actor: 'dashboard' }]);
  });

  it('another origin is refused even with the header', async () => {
    const cookie = await signIn();
    acts.length = 0;
    for (const headers of [{ origin: 'http://evil.example' }, { origin: 'null' }, { 'sec-fetch-site': 'cross-site' }, { 'sec-fetch-site': 'same-site' }] as Record<string, string>[]) {
      const r = await promote({ cookie, 'x-baton-csrf': '1', ...headers });
      expect(r.status, JSON.stringify(headers)).toBe(403);
    }
    // A cross-site read is refused too (SameSite=Strict already keeps the cookie back).
    expect((await fetch(`${server.url}/api/v1/workloads`, { headers: { cookie, 'sec-fetch-site': 'cross-site' } })).status).toBe(403);
    expect(acts).toEqual([]);
  });

  it('Bearer calls need none of that (the CLI), and keep the api actor', async () => {
    acts.length = 0;
    expect((await promote({ authorization: `Bearer ${TOKEN}` })).status).toBe(200);
    expect(acts[0]?.actor).toBe('api');
  });

  it('the cookie reaches the embedded Prometheus too, for reads', async () => {
    const cookie = await signIn();
    expect((await fetch(`${server.url}/prometheus/api/v1/query?query=up`, { headers: { cookie } })).status).toBe(200);
    expect((await fetch(`${server.url}/prometheus/api/v1/query?query=up`)).status).toBe(401);
  });
});
