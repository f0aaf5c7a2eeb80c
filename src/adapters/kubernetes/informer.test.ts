/**
 * The informer against an HTTP server on 127.0.0.1:0 that speaks the API's list and watch
 * protocol, scripted per request, so the cases a real server shows only by chance can be forced:
 * a watch that ends, bookmarks, and 410 Gone both as an answer and as an ERROR event in the stream.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { KubeClient } from './client.js';
import { Informer, type InformerEventType } from './informer.js';
import { RESOURCES } from './resources.js';

type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => void;

const svc = (name: string, rv: string) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'ns', resourceVersion: rv } });

async function fakeApi(handlers: Handler[]): Promise<{ url: string; requests: string[]; close: () => Promise<void> }> {
  const requests: string[] = [];
  let i = 0;
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    requests.push(`${url.pathname}?${url.searchParams.toString()}`);
    const h = handlers[Math.min(i++, handlers.length - 1)];
    h?.(req, res, url);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, requests, close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}

const list = (items: object[], rv: string): Handler => (_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ kind: 'ServiceList', metadata: { resourceVersion: rv }, items }));
};
const watch = (events: object[], end = true): Handler => (_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  for (const e of events) res.write(`${JSON.stringify(e)}\n`);
  if (end) res.end();
};
const status = (code: number, reason: string): Handler => (_req, res) => {
  res.writeHead(code, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ kind: 'Status', status: 'Failure', reason, code, message: `too old resource version` }));
};
const hang: Handler = (_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.write('');
};

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

async function start(handlers: Handler[]) {
  const api = await fakeApi(handlers);
  const client = new KubeClient({ server: api.url, insecureSkipTlsVerify: false, namespace: 'ns', source: 'test' });
  const informer = new Informer(client, RESOURCES.services, { namespace: 'ns', backoffMs: { initial: 5, max: 20 } });
  const events: string[] = [];
  informer.onChange((type: InformerEventType, obj) => events.push(`${type} ${obj.metadata.name}@${obj.metadata.resourceVersion ?? ''}`));
  cleanup.push(api.close, () => client.close(), () => informer.stop());
  informer.start();
  return { api, informer, events };
}

const until = async (check: () => boolean): Promise<void> => {
  const deadline = Date.now() + 5_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('Informer (list + watch)', () => {
  it('lists, then watches from the list version; a watch that ends is reopened from the last version seen (a bookmark counts)', async () => {
    const { api, informer, events } = await start([
      list([svc('a', '10')], '10'),
      watch([{ type: 'MODIFIED', object: svc('a', '11') }, { type: 'BOOKMARK', object: { kind: 'Service', metadata: { resourceVersion: '15' } } }]),
      watch([{ type: 'ADDED', object: svc('b', '16') }, { type: 'DELETED', object: svc('a', '17') }]),
      hang,
    ]);
    await informer.synced;
    await until(() => events.length === 4);
    expect(events).toEqual(['added a@10', 'updated a@11', 'added b@16', 'deleted a@17']);
    expect(informer.list().map((o) => o.metadata.name)).toEqual(['b']);
    await until(() => api.requests.length >= 4);
    expect(api.requests[0]).toBe('/api/v1/namespaces/ns/services?');
    expect(api.requests[1]).toContain('resourceVersion=10');
    expect(api.requests[1]).toContain('watch=1');
    expect(api.requests[2]).toContain('resourceVersion=15');
    expect(api.requests[3]).toContain('resourceVersion=17');
  });

  it('relists on 410 Gone (an answer, or an ERROR event in the stream) and reports what changed meanwhile', async () => {
    const { informer, events } = await start([
      list([svc('a', '10'), svc('b', '10')], '10'),
      status(410, 'Expired'),
      list([svc('a', '20'), svc('c', '20')], '20'),
      watch([{ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired', message: 'too old' } }]),
      list([svc('a', '20'), svc('c', '20')], '30'),
      hang,
    ]);
    await until(() => informer.lists === 3);
    expect(events).toEqual(['added a@10', 'added b@10', 'updated a@20', 'added c@20', 'deleted b@10']);
    expect(informer.version).toBe('30');
  });

  it('retries with back-off when the server answers an error, reporting it', async () => {
    const errors: unknown[] = [];
    const api = await fakeApi([status(500, 'InternalError'), status(500, 'InternalError'), list([svc('a', '1')], '1'), hang]);
    const client = new KubeClient({ server: api.url, insecureSkipTlsVerify: false, namespace: 'ns', source: 'test' });
    const informer = new Informer(client, RESOURCES.services, { namespace: 'ns', backoffMs: { initial: 5, max: 20 }, onError: (e) => errors.push(e) });
    cleanup.push(api.close, () => client.close(), () => informer.stop());
    informer.start();
    await informer.synced;
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatchObject({ code: 'kube-api-error', status: 500, reason: 'InternalError' });
    expect(informer.get('ns', 'a')?.metadata.resourceVersion).toBe('1');
  });

  it('remember: a write of our own is seen at once, and an older event does not undo it (but is still reported)', async () => {
    const { informer, events } = await start([list([svc('a', '10')], '10'), watch([{ type: 'MODIFIED', object: svc('a', '11') }], false)]);
    await informer.synced;
    informer.remember(svc('a', '12'));
    expect(informer.get('ns', 'a')?.metadata.resourceVersion).toBe('12');
    await new Promise((r) => setTimeout(r, 50));
    expect(informer.get('ns', 'a')?.metadata.resourceVersion).toBe('12');
    expect(events).toEqual(['added a@10', 'updated a@12']);
  });
});
