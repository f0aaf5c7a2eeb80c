/**
 * The control API's doors, on a real socket: the token before any body, bodies bounded (413 and
 * the connection closed), bad input 400 and never 500, the embedded Prometheus behind the token.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFetchServer, type RunningFetchServer } from '../../src/adapters/http/fetch-server.js';
import { createApiHandler, type ControlApi } from '../../src/api/handler.js';

const TOKEN = 'test-token-0123456789';
const calls: { what: string; arg: unknown }[] = [];
const api: ControlApi = {
  status: () => ({ pid: 1 }) as never,
  list: () => [],
  detail: (name) => {
    calls.push({ what: 'detail', arg: name });
    return { name } as never;
  },
  history: () => [],
  act: (name, req) => {
    calls.push({ what: 'act', arg: { name, req } });
    return Promise.resolve({ name } as never);
  },
  apply: (req) => {
    calls.push({ what: 'apply', arg: req });
    return Promise.resolve({ generation: 1, changed: true, warnings: [], dryRun: false, created: [], configured: [], unchanged: [], pruned: [] });
  },
  waitEvents: (q) => {
    calls.push({ what: 'events', arg: q });
    return Promise.resolve({ events: [], lastId: 0 });
  },
  logs: (q) => {
    calls.push({ what: 'logs', arg: q });
    return { files: [] };
  },
  audit: () => [],
  runtimeMetrics: () => 'kube_pod_status_ready 1\n',
  prometheus: (req) => Promise.resolve(new Response(JSON.stringify({ status: 'success', path: new URL(req.url).pathname }), { headers: { 'content-type': 'application/json' } })),
  requestShutdown: () => {},
};

let server: RunningFetchServer;
beforeAll(async () => {
  server = await startFetchServer('127.0.0.1', 0, createApiHandler(api, TOKEN));
});
afterAll(() => server.close());

const auth = { authorization: `Bearer ${TOKEN}` };
async function call(method: string, path: string, body?: string, headers: Record<string, string> = auth): Promise<{ status: number; body: { error?: { code: string; message: string } } }> {
  const r = await fetch(`${server.url}${path}`, { method, headers: { ...headers, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, ...(body !== undefined ? { body } : {}) });
  return { status: r.status, body: (await r.json()) as { error?: { code: string; message: string } } };
}

/**
 * Sends a request head declaring `declared` body bytes and then `send` bytes of it, without
 * finishing; resolves with the answer's status line, how many bytes were sent before it came,
 * and whether the server then closed the connection.
 */
function rawPost(path: string, headers: Record<string, string>, declared: number | 'chunked', send: number): Promise<{ statusLine: string; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const port = Number(new URL(server.url).port);
    const sock = connect(port, '127.0.0.1');
    let answer = '';
    let statusLine = '';
    sock.on('error', () => {}); // a reset while we still write is the server closing on us
    sock.on('data', (d: Buffer) => {
      answer += d.toString('latin1');
      if (!statusLine && answer.includes('\r\n')) statusLine = answer.slice(0, answer.indexOf('\r\n'));
    });
    sock.on('close', () => (statusLine ? resolve({ statusLine, closed: true }) : reject(new Error(`closed without an answer: ${answer}`))));
    const head = [`POST ${path} HTTP/1.1`, 'Host: x', 'Content-Type: application/json', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), declared === 'chunked' ? 'Transfer-Encoding: chunked' : `Content-Length: ${declared}`, '', ''].join('\r\n');
    sock.write(head);
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    let sent = 0;
    const pump = (): void => {
      while (sent < send && !sock.destroyed) {
        const piece = declared === 'chunked' ? Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]) : chunk;
        sent += chunk.length;
        if (!sock.write(piece)) return void sock.once('drain', pump);
      }
    };
    pump();
  });
}

describe('the control API', () => {
  it('answers an unauthenticated post at once, without reading its body, and closes the connection', async () => {
    const before = calls.length;
    // 6 MiB declared (under the limit), 1 MiB sent, the rest never: the answer cannot wait for the body.
    const r = await rawPost('/api/v1/apply', {}, 6 << 20, 1 << 20);
    expect(r).toEqual({ statusLine: 'HTTP/1.1 401 Unauthorized', closed: true });
    const wrong = await rawPost('/api/v1/apply', { authorization: 'Bearer nope' }, 'chunked', 1 << 20);
    expect(wrong).toEqual({ statusLine: 'HTTP/1.1 401 Unauthorized', closed: true });
    expect(calls.length).toBe(before);
  });

  it('answers 413 to a body over 8 MiB, declared or streamed, and closes the connection', async () => {
    const declared = await rawPost('/api/v1/apply', auth, 50 << 20, 1 << 20);
    expect(declared).toEqual({ statusLine: 'HTTP/1.1 413 Payload Too Large', closed: true });
    const streamed = await rawPost('/api/v1/apply', auth, 'chunked', 9 << 20);
    expect(streamed).toEqual({ statusLine: 'HTTP/1.1 413 Payload Too Large', closed: true });
    // A body under the limit is read.
    const files = [{ path: '/m/a.yaml', text: 'x'.repeat(4 << 20) }];
    expect((await call('POST', '/api/v1/apply', JSON.stringify({ files }))).status).toBe(200);
  });

  it('answers bad bodies 400 with a clear error, never 500', async () => {
    const cases: [string, string, string][] = [
      ['/api/v1/apply', '{"files": [', 'invalid-body'],
      ['/api/v1/apply', 'null', 'invalid-body'],
      ['/api/v1/apply', '[]', 'invalid-body'],
      ['/api/v1/apply', '{"files": "a.yaml"}', 'invalid-body'],
      ['/api/v1/apply', '{"files": [null]}', 'invalid-body'],
      ['/api/v1/apply', '{"files": [{"path": "/a.yaml", "text": 1}]}', 'invalid-body'],
      ['/api/v1/apply', '{"files": [], "prune": "yes"}', 'invalid-body'],
      ['/api/v1/workloads/web/actions', 'null', 'invalid-body'],
      ['/api/v1/workloads/web/actions', '7', 'invalid-body'],
      ['/api/v1/workloads/web/actions', '{}', 'invalid-action'],
      ['/api/v1/workloads/web/actions', '{"action": "explode"}', 'invalid-action'],
      ['/api/v1/workloads/web/actions', '{"action": "undo", "toRevision": -1}', 'invalid-body'],
      ['/api/v1/workloads/web/actions', '{"action": "set-image", "images": "web=v2"}', 'invalid-body'],
      ['/api/v1/workloads/web/actions', '{"action": "set-image", "images": {"web": 2}}', 'invalid-body'],
      ['/api/v1/workloads/web/actions', '{"action": "promote", "full": "true"}', 'invalid-body'],
      ['/api/v1/shutdown', 'null', 'invalid-body'],
      ['/api/v1/shutdown', '{"keepServices": 1}', 'invalid-body'],
    ];
    for (const [path, body, code] of cases) {
      const r = await call('POST', path, body);
      expect([path, body, r.status, r.body.error?.code]).toEqual([path, body, 400, code]);
      expect(r.body.error?.message.length).toBeGreaterThan(10);
    }
    expect(calls.some((c) => c.what === 'act')).toBe(false);
  });

  it('answers bad %-escapes in paths and queries 400', async () => {
    for (const path of ['/api/v1/workloads/%zz', '/api/v1/workloads/%E0%A4%A', '/api/v1/workloads/a%', '/api/v1/events?limit=%zz', '/api/v1/logs?workload=web&pod=%ff', '/api/v1/events?workload=%']) {
      const r = await call('GET', path);
      expect([path, r.status, r.body.error?.code]).toEqual([path, 400, 'invalid-escape']);
    }
    expect((await call('GET', '/api/v1/events?limit=-1')).status).toBe(400);
    expect((await call('GET', '/api/v1/events?limit=1e3')).status).toBe(400);
    // Well-formed escapes decode.
    expect((await call('GET', '/api/v1/workloads/web%2Dapp')).status).toBe(200);
    expect(calls.at(-1)).toEqual({ what: 'detail', arg: 'web-app' });
    expect((await call('GET', '/api/v1/logs?workload=web&pod=web-1-bcdfg&tail=3')).status).toBe(200);
    expect(calls.at(-1)).toEqual({ what: 'logs', arg: { workload: 'web', pod: 'web-1-bcdfg', tail: 3 } });
  });

  it('keeps the embedded Prometheus behind the token; /healthz and /runtime/metrics answer without it', async () => {
    const no = await fetch(`${server.url}/prometheus/api/v1/query?query=up`);
    expect(no.status).toBe(401);
    expect(((await no.json()) as { status: string }).status).toBe('error');
    const yes = await fetch(`${server.url}/prometheus/api/v1/query?query=up`, { headers: auth });
    expect(await yes.json()).toEqual({ status: 'success', path: '/prometheus/api/v1/query' });
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    expect(await (await fetch(`${server.url}/runtime/metrics`)).text()).toBe('kube_pod_status_ready 1\n');
  });
});
