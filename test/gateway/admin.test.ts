/**
 * The admin API through its typed client: the bearer credential (every route but /healthz
 * refuses a request without it), whole-config pushes (a refused one keeps the old config and
 * lists every problem), stats per cluster, health, metrics with the cluster's labels, and clear
 * errors for bad queries and an unreachable gateway.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGatewayClient, GatewayConfigRejectedError, GatewayUnauthorizedError, GatewayUnavailableError } from '../../src/adapters/traffic/gateway/client.js';
import { configDigest } from '../../src/gateway/server.js';
import { parseMetricsConfig } from '../../src/metrics-server/config.js';
import { scrapeOnce } from '../../src/metrics-server/scraper.js';
import { getLabel } from '../../src/promql/labels.js';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunningGateway } from '../../src/gateway/server.js';
import { freePort, tempDir } from '../support/net.js';
import { blast, send, splitConfig, startTestGateway, startUpstream, type Upstream } from './support.js';

let gw: RunningGateway;
let up: Upstream;
let failing: Upstream;
beforeAll(async () => {
  gw = await startTestGateway();
  up = await startUpstream('ok');
  failing = await startUpstream('failing', (req, res) => {
    res.writeHead(req.url === '/boom' ? 500 : 200, { connection: 'x-private', 'x-private': 'secret', 'keep-alive': 'timeout=1' });
    res.end('f');
  });
});
afterAll(async () => {
  await gw.close();
  await up.close();
  await failing.close();
});

const labels = { job: 'tbyte-microservices', namespace: 'tbyte', service: 'tbyte-microservices-frontend', rollout: 'tbyte-microservices-frontend', revision: '6d4f9c', role: 'stable' };

describe('admin API credential', () => {
  const everyRoute = ['PUT /config', 'POST /config', 'GET /config', 'GET /metrics', 'GET /stats?cluster=f', 'GET /endpoints', `GET /drain?endpoint=127.0.0.1:1&timeoutMs=0`, 'GET /nope'];

  it('refuses every route but /healthz without the token, or with a wrong one, and changes nothing', async () => {
    const client = createGatewayClient(gw.adminUrl, gw.adminToken);
    const before = await client.getConfig();
    const hijack = JSON.stringify(splitConfig(999, { evil: { endpoints: ['127.0.0.1:1'] } }, { evil: 100 }));
    for (const authorization of [undefined, 'Bearer wrong-token-of-the-same-kind', `Basic ${gw.adminToken}`, `Bearer ${gw.adminToken}x`, `Bearer ${gw.adminToken.slice(0, -1)}`, 'Bearer ']) {
      for (const r of everyRoute) {
        const [method, path] = r.split(' ') as [string, string];
        const res = await fetch(`${gw.adminUrl}${path}`, { method, headers: authorization === undefined ? {} : { authorization }, ...(method === 'GET' ? {} : { body: hijack }) });
        expect(res.status, `${r} with ${authorization ?? 'no credential'}`).toBe(401);
        expect(res.headers.get('www-authenticate')).toBe('Bearer realm="baton-gateway-admin"');
        expect(await res.json()).toMatchObject({ error: 'unauthorized' });
      }
    }
    expect(await client.getConfig()).toEqual(before);
    const wrong = createGatewayClient(gw.adminUrl, 'wrong-token-of-the-same-kind');
    await expect(wrong.putConfig(splitConfig(999, {}, {}))).rejects.toBeInstanceOf(GatewayUnauthorizedError);
    await expect(wrong.getConfig()).rejects.toMatchObject({ code: 'gateway-unauthorized' });
  });

  it('answers /healthz without a credential, revealing no route or endpoint', async () => {
    const res = await fetch(`${gw.adminUrl}/healthz`);
    expect(res.status).toBe(200);
    expect(Object.keys((await res.json()) as object).sort()).toEqual(['configDigest', 'draining', 'inFlight', 'status', 'version']);
  });

  it('is scraped by a Prometheus job with authorization.credentials_file, and refuses one without', async () => {
    const dir = await tempDir('baton-gw-scrape-');
    try {
      await writeFile(join(dir.path, 'gateway.token'), `${gw.adminToken}\n`, { mode: 0o600 });
      const host = new URL(gw.adminUrl).host;
      const yml = (auth: string): string => `scrape_configs:\n- job_name: gateway\n${auth}  static_configs:\n  - targets: ['${host}']\n`;
      const [job] = parseMetricsConfig(yml('  authorization:\n    credentials_file: gateway.token\n'), join(dir.path, 'prometheus.yml')).jobs;
      expect(job?.bearerToken).toBe(gw.adminToken);
      const samples = await scrapeOnce(`${gw.adminUrl}/metrics`, 2_000, job?.bearerToken);
      expect(samples.some((x) => getLabel(x.labels, '__name__') === 'baton_gateway_config_version')).toBe(true);
      const [open] = parseMetricsConfig(yml(''), join(dir.path, 'prometheus.yml')).jobs;
      await expect(scrapeOnce(`${gw.adminUrl}/metrics`, 2_000, open?.bearerToken)).rejects.toThrow('server returned HTTP status 401');
      expect(() => parseMetricsConfig(yml('  authorization:\n    credentials_file: missing.token\n'), join(dir.path, 'prometheus.yml'))).toThrow(/scrape_configs\[0\]\.authorization\.credentials_file: cannot read .*missing\.token: ENOENT/);
    } finally {
      await dir.remove();
    }
  });

  it('accepts the scheme name in any case, as RFC 6750 allows', async () => {
    const res = await fetch(`${gw.adminUrl}/config`, { headers: { authorization: `bearer ${gw.adminToken}` } });
    expect(res.status).toBe(200);
  });
});

describe('admin API', () => {
  it('applies a whole config and refuses a bad one, keeping the old and listing every problem', async () => {
    const client = createGatewayClient(gw.adminUrl, gw.adminToken);
    const good = splitConfig(7, { 'frontend-stable': { endpoints: [up.key], labels } }, { 'frontend-stable': 100 });
    expect(await client.putConfig(good)).toEqual({ version: 7, digest: configDigest(good) });
    expect(await client.getConfig()).toEqual(good);

    const bad = { version: 8, routes: [{ name: 'r', destinations: [{ cluster: 'missing', weight: 100 }] }], clusters: { c: { endpoints: ['nope'] } } };
    const err = await client.putConfig(bad as never).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GatewayConfigRejectedError);
    expect((err as GatewayConfigRejectedError).problems.map((p) => p.path)).toEqual(['clusters.c.endpoints[0]', 'routes[0].destinations[0].cluster']);
    expect((await client.getConfig()).version).toBe(7);
    expect((await send(gw.url, '/')).body).toBe('ok');

    const notJson = await send(gw.adminUrl, '/config', { method: 'PUT', body: '{"version": ' });
    expect(notJson.status).toBe(400);
    expect(JSON.parse(notJson.body)).toMatchObject({ error: 'invalid-config', problems: [{ path: '$' }] });
    expect(await client.health()).toEqual({ status: 'ok', version: 7, configDigest: configDigest(good), inFlight: 0, draining: false });
  });

  it('reports per-cluster stats over a window and Prometheus series with the cluster labels', async () => {
    const client = createGatewayClient(gw.adminUrl, gw.adminToken);
    await client.putConfig(splitConfig(9, { f: { endpoints: [failing.key], labels: { role: 'canary' } } }, { f: 100 }));
    await blast(gw.url, '/', 30, 4);
    await blast(gw.url, '/boom', 10, 4);
    const stats = await client.getStats('f', 60);
    expect(stats).toMatchObject({ cluster: 'f', requests: 40, errors5xx: 10, connectionFailures: 0, errorRate: 0.25 });
    expect(stats.latencyMs.p50).toBeGreaterThan(0);
    expect(stats.latencyMs.p99).toBeGreaterThanOrEqual(stats.latencyMs.p50 ?? 0);
    const metrics = await client.metrics();
    expect(metrics).toContain('http_requests_total{role="canary",route="main",method="GET",status="500"} 10');
    expect(metrics).toContain('http_requests_total{role="canary",route="main",method="GET",status="200"} 30');
    expect(metrics).toMatch(/http_request_duration_seconds_bucket\{role="canary",route="main",method="GET",status="500",le="0\.5"\} 10/);
    expect(metrics).toContain('baton_gateway_config_version 9');
    await expect(client.getStats('nope', 60)).rejects.toMatchObject({ code: 'unknown-cluster' });
    const badWindow = await send(gw.adminUrl, '/stats?cluster=f&window=forever');
    expect(badWindow.status).toBe(400);
    expect(badWindow.body).toContain('forever');
  });

  it('strips hop-by-hop response headers, including those named in Connection, and adds x-request-id upstream', async () => {
    const r = await send(gw.url, '/');
    expect(r.headers['x-private']).toBeUndefined();
    expect(r.headers['keep-alive']).not.toBe('timeout=1');
    const seen = failing.seen.at(-1);
    expect(seen?.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(seen?.headers['x-forwarded-for']).toBe('127.0.0.1');
  });

  it('fails with a clear error when the gateway is not there', async () => {
    const client = createGatewayClient(`http://127.0.0.1:${await freePort()}`, 'a-token-nobody-checks');
    await expect(client.health()).rejects.toBeInstanceOf(GatewayUnavailableError);
    await expect(client.health()).rejects.toMatchObject({ code: 'gateway-unavailable' });
  });

  it('answers unknown admin paths and bad drain queries with 4xx JSON', async () => {
    expect((await send(gw.adminUrl, '/nope')).status).toBe(404);
    expect((await send(gw.adminUrl, '/drain')).status).toBe(400);
    expect(JSON.parse((await send(gw.adminUrl, `/drain?endpoint=${up.key}&timeoutMs=10`)).body)).toMatchObject({ drained: true, inFlight: 0 });
  });
});
