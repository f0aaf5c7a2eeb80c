/** The web provider against local HTTP servers on 127.0.0.1. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebProvider } from '../../../src/core/spec/types.js';
import { createWebProvider } from '../../../src/adapters/metrics/web/index.js';
import type { MeasureContext } from '../../../src/ports/metrics-provider.js';
import { freePort, waitFor } from '../../support/net.js';
import { runMetricsProviderContract } from './contract.js';
import { containing, matching } from './matchers.js';
import { json, startHangingServer, startHttpServer, startSelfSignedHttpsServer, type HangingServer, type TestHttpServer } from './servers.js';

const spec = (url: string, extra: Partial<WebProvider> = {}): WebProvider => ({
  type: 'web',
  url,
  method: 'GET',
  headers: [],
  timeoutSeconds: 10,
  jsonPath: '{$}',
  insecure: false,
  ...extra,
});
const ctx = (signal = new AbortController().signal): MeasureContext => ({ signal, runName: 'run-1', metricName: 'm' });

const DOC = { data: { ok: true, rate: 0.5, name: 'a<b' }, items: [{ value: 3 }, { value: 4 }] };

let server: TestHttpServer;
let hanging: HangingServer;

beforeAll(async () => {
  hanging = await startHangingServer();
  server = await startHttpServer((req, res) => {
    switch (req.url) {
      case '/doc':
        json(res, 200, DOC);
        return;
      case '/fail':
        json(res, 500, { error: 'boom' });
        return;
      case '/not-found':
        res.writeHead(404).end('nope');
        return;
      case '/text':
        res.writeHead(200, { 'content-type': 'text/plain' }).end('all good');
        return;
      case '/echo':
        json(res, 200, { method: req.method, contentType: req.headers['content-type'] ?? null, body: req.body, auth: req.headers.authorization ?? null });
        return;
      default:
        res.writeHead(404).end();
    }
  });
});
afterAll(async () => {
  await server?.close();
  await hanging?.close();
});

describe('web provider', () => {
  const provider = createWebProvider();

  it('returns the whole document for the default {$}, stored as Go marshals it', async () => {
    const r = await provider.measure(spec(`${server.url}/doc`), ctx());
    expect(r).toEqual({
      kind: 'value',
      value: DOC,
      display: '{"data":{"name":"a\\u003cb","ok":true,"rate":0.5},"items":[{"value":3},{"value":4}]}',
    });
  });

  it('narrows with a Kubernetes JSONPath, first match', async () => {
    expect(await provider.measure(spec(`${server.url}/doc`, { jsonPath: '{$.data.ok}' }), ctx())).toEqual({ kind: 'value', value: true, display: 'true' });
    expect(await provider.measure(spec(`${server.url}/doc`, { jsonPath: '{.data.rate}' }), ctx())).toEqual({ kind: 'value', value: 0.5, display: '0.5' });
    expect(await provider.measure(spec(`${server.url}/doc`, { jsonPath: '{$.items[0].value}' }), ctx())).toEqual({ kind: 'value', value: 3, display: '3' });
    expect(await provider.measure(spec(`${server.url}/doc`, { jsonPath: '{.items[*].value}' }), ctx())).toEqual({ kind: 'value', value: 3, display: '3' });
  });

  it('reports a path with no match as an Error', async () => {
    expect(await provider.measure(spec(`${server.url}/doc`, { jsonPath: '{.data.missing}' }), ctx())).toEqual({
      kind: 'error',
      message: 'Could not find JSONPath in body: {.data.missing} is not found',
    });
  });

  it('reports a non-2xx status with Argo\'s message', async () => {
    expect(await provider.measure(spec(`${server.url}/fail`), ctx())).toEqual({ kind: 'error', message: 'received non 2xx response code: 500' });
    expect(await provider.measure(spec(`${server.url}/not-found`), ctx())).toEqual({ kind: 'error', message: 'received non 2xx response code: 404' });
  });

  it('returns a body that is not JSON as a string', async () => {
    expect(await provider.measure(spec(`${server.url}/text`, { jsonPath: '{$.data.ok}' }), ctx())).toEqual({ kind: 'value', value: 'all good', display: 'all good' });
  });

  it('POSTs a jsonBody with Content-Type application/json and the headers', async () => {
    const r = await provider.measure(
      spec(`${server.url}/echo`, { method: 'POST', jsonBody: { service: 'shop', window: '5m' }, headers: [{ key: 'Authorization', value: 'Bearer t' }] }),
      ctx(),
    );
    expect(r).toMatchObject({
      kind: 'value',
      value: { method: 'POST', contentType: 'application/json', body: '{"service":"shop","window":"5m"}', auth: 'Bearer t' },
    });
  });

  it('PUTs a string body as written', async () => {
    const r = await provider.measure(spec(`${server.url}/echo`, { method: 'PUT', body: 'q=1', jsonPath: '{.body}' }), ctx());
    expect(r).toEqual({ kind: 'value', value: 'q=1', display: '"q=1"' });
    expect(server.requests.at(-1)).toMatchObject({ method: 'PUT', body: 'q=1' });
  });

  it('refuses a body on GET and both body kinds, as Argo does, without sending', async () => {
    const before = server.requests.length;
    expect(await provider.measure(spec(`${server.url}/echo`, { body: 'x' }), ctx())).toEqual({
      kind: 'error',
      message: 'Body/JSONBody can only be used with POST or PUT WebMetric Method types',
    });
    expect(await provider.measure(spec(`${server.url}/echo`, { method: 'POST', body: 'x', jsonBody: { a: 1 } }), ctx())).toEqual({
      kind: 'error',
      message: 'use either Body or JSONBody; both cannot exists for WebMetric payload',
    });
    expect(server.requests.length).toBe(before);
  });

  it('rejects a JSONPath template it cannot use, naming it', async () => {
    const r = await provider.measure(spec(`${server.url}/doc`, { jsonPath: 'value: {.data.ok}' }), ctx());
    expect(r).toMatchObject({ kind: 'error', message: containing('jsonPath "value: {.data.ok}"') });
  });

  it('gives up after timeoutSeconds on a server that never answers', async () => {
    const started = performance.now();
    const r = await provider.measure(spec(`${hanging.url}/slow`, { timeoutSeconds: 1 }), ctx());
    const elapsed = performance.now() - started;
    expect(r).toEqual({
      kind: 'error',
      message: `Get "${hanging.url}/slow": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`,
    });
    expect(elapsed).toBeGreaterThanOrEqual(900);
    expect(elapsed).toBeLessThan(5_000);
  });

  it('verifies TLS unless insecure is set', async () => {
    const tls = await startSelfSignedHttpsServer((_req, res) => json(res, 200, { ok: true }));
    try {
      const strict = await provider.measure(spec(`${tls.url}/`, { jsonPath: '{.ok}' }), ctx());
      expect(strict).toMatchObject({ kind: 'error', message: matching(/self[- ]signed certificate/) });
      expect(await provider.measure(spec(`${tls.url}/`, { jsonPath: '{.ok}', insecure: true }), ctx())).toEqual({ kind: 'value', value: true, display: 'true' });
    } finally {
      await tls.close();
    }
  });

  it('reports an unreachable URL and a bad URL as Errors', async () => {
    const port = await freePort();
    const r = await provider.measure(spec(`http://127.0.0.1:${port}/x`), ctx());
    expect(r).toMatchObject({ kind: 'error', message: matching(/^Get "http:\/\/127\.0\.0\.1:\d+\/x": .*ECONNREFUSED/) });
    expect(await provider.measure(spec('not a url'), ctx())).toMatchObject({ kind: 'error', message: containing('"not a url"') });
  });
});

runMetricsProviderContract('web', async () => {
  const stuck = await startHangingServer();
  const port = await freePort();
  return {
    provider: createWebProvider(),
    good: spec(`${server.url}/doc`, { jsonPath: '{.data.ok}' }),
    failing: spec(`http://127.0.0.1:${port}/`),
    hanging: spec(stuck.url, { timeoutSeconds: 30 }),
    hangingStarted: () => waitFor(() => stuck.connections() > 0, 5_000, 'the request to reach the hanging server').then(() => undefined),
    cleanup: () => stuck.close(),
  };
});
