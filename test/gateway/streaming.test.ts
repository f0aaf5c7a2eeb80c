/**
 * Streams through the gateway: a WebSocket echo (handshake and framing done by hand, RFC 6455),
 * a server-sent event stream that must arrive event by event, a large upload echoed back, and
 * mirroring that never slows or fails the client.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../../src/gateway/server.js';
import { waitFor } from '../support/net.js';
import { send, splitConfig, startTestGateway, startUpstream } from './support.js';

const cleanup: Array<() => Promise<unknown>> = [];
let gw: RunningGateway;
beforeAll(async () => {
  gw = await startTestGateway();
  cleanup.push(() => gw.close());
});
afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
});

const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** One text frame; clients must mask (RFC 6455 5.3), servers must not. Payloads < 126 bytes. */
function frame(text: string, masked: boolean): Buffer {
  const payload = Buffer.from(text);
  const mask = masked ? randomBytes(4) : undefined;
  const head = Buffer.from([0x81, (masked ? 0x80 : 0) | payload.length]);
  if (!mask) return Buffer.concat([head, payload]);
  const body = Buffer.from(payload.map((b, i) => b ^ (mask[i % 4] as number)));
  return Buffer.concat([head, mask, body]);
}

function unframe(buf: Buffer): string {
  const masked = ((buf[1] as number) & 0x80) !== 0;
  const len = (buf[1] as number) & 0x7f;
  if (!masked) return buf.subarray(2, 2 + len).toString();
  const mask = buf.subarray(2, 6);
  return Buffer.from(buf.subarray(6, 6 + len).map((b, i) => b ^ (mask[i % 4] as number))).toString();
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanup.push(
    () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  );
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('WebSocket', () => {
  it('passes the upgrade through and echoes frames both ways', async () => {
    const ws = createServer((_req, res) => res.end('no upgrade'));
    let seenPath = '';
    ws.on('upgrade', (req, socket: Socket) => {
      seenPath = req.url ?? '';
      const accept = createHash('sha1').update(`${String(req.headers['sec-websocket-key'])}${WS_GUID}`).digest('base64');
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
      socket.on('data', (d: Buffer) => socket.write(frame(`echo:${unframe(d)}`, false)));
      socket.on('end', () => socket.end());
      socket.on('error', () => socket.destroy());
    });
    const key = await listen(ws);
    await gw.apply({ version: 1, routes: [{ name: 'ws', match: [{ uri: { prefix: '/ws' } }], rewrite: { uri: '/socket' }, destinations: [{ cluster: 'ws', weight: 100 }] }], clusters: { ws: { endpoints: [key] } } });

    const u = new URL(gw.url);
    const wsKey = randomBytes(16).toString('base64');
    const { socket, headers } = await new Promise<{ socket: Socket; headers: Record<string, unknown> }>((resolve, reject) => {
      const req = request({ host: u.hostname, port: u.port, path: '/ws', headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-key': wsKey, 'sec-websocket-version': '13' } });
      req.on('upgrade', (res, s: Socket) => resolve({ socket: s, headers: res.headers }));
      req.on('response', (res) => reject(new Error(`no upgrade: ${res.statusCode}`)));
      req.on('error', reject);
      req.end();
    });
    expect(headers['sec-websocket-accept']).toBe(createHash('sha1').update(`${wsKey}${WS_GUID}`).digest('base64'));
    expect(seenPath).toBe('/socket');
    for (const msg of ['hello', 'again']) {
      const reply = new Promise<string>((r) => socket.once('data', (d: Buffer) => r(unframe(d))));
      socket.write(frame(msg, true));
      expect(await reply).toBe(`echo:${msg}`);
    }
    socket.destroy();
  });
});

describe('server-sent events', () => {
  it('delivers each event as it is sent, not buffered', async () => {
    let next!: () => void;
    const sse = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.write('data: one\n\n');
      next = () => res.end('data: two\n\n');
    });
    const key = await listen(sse);
    await gw.apply(splitConfig(2, { sse: { endpoints: [key] } }, { sse: 100 }));
    const u = new URL(gw.url);
    const events: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const req = request({ host: u.hostname, port: u.port, path: '/events', headers: { accept: 'text/event-stream' } }, (res) => {
        expect(res.headers['content-type']).toBe('text/event-stream');
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          events.push(d);
          // The second event is only sent once the first one came through the gateway.
          if (events.length === 1) next();
        });
        res.on('end', resolve);
      });
      req.on('error', reject);
      req.end();
    });
    expect(events.join('')).toBe('data: one\n\ndata: two\n\n');
    expect(events[0]).toBe('data: one\n\n');
  });
});

describe('bodies', () => {
  it('streams a large upload and its echo both ways', async () => {
    const echo = createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      req.pipe(res);
    });
    const key = await listen(echo);
    await gw.apply(splitConfig(3, { echo: { endpoints: [key] } }, { echo: 100 }));
    const body = randomBytes(8 * 1024 * 1024);
    const u = new URL(gw.url);
    const back = await new Promise<Buffer>((resolve, reject) => {
      const req = request({ host: u.hostname, port: u.port, method: 'PUT', path: '/up', agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve(Buffer.concat(chunks)));
      });
      req.on('error', reject);
      for (let i = 0; i < body.length; i += 256 * 1024) req.write(body.subarray(i, i + 256 * 1024));
      req.end();
    });
    expect(back.length).toBe(body.length);
    expect(back.equals(body)).toBe(true);
  });
});

describe('mirroring', () => {
  it('copies requests to the mirror without slowing the client, and bounds the copies in flight', async () => {
    const main = await startUpstream('main');
    const held: Array<() => void> = [];
    const mirror = await startUpstream('mirror', (_req, res) => {
      held.push(() => res.end('ignored'));
    });
    cleanup.push(
      () => main.close(),
      async () => {
        for (const h of held) h();
        await mirror.close();
      },
    );
    await gw.apply({
      version: 4,
      routes: [{ name: 'm', destinations: [{ cluster: 'main', weight: 100 }], mirror: { cluster: 'mirror', percentage: 100 } }],
      clusters: { main: { endpoints: [main.key] }, mirror: { endpoints: [mirror.key] } },
      limits: { maxMirrorInFlight: 2 },
    });
    const t0 = performance.now();
    const first = await send(gw.url, '/copy', { method: 'POST', headers: { host: 'shop.local', 'content-type': 'text/plain' }, body: 'payload' });
    expect(first).toMatchObject({ status: 200, body: 'main' });
    for (let i = 0; i < 9; i++) expect((await send(gw.url, `/copy/${i}`)).status).toBe(200);
    // The mirror never answers while the test runs; the client still got all ten answers quickly.
    expect(performance.now() - t0).toBeLessThan(2_000);
    await new Promise<void>((r) => {
      const check = (): void => (mirror.seen.length >= 2 ? r() : void setTimeout(check, 10));
      check();
    });
    expect(mirror.seen[0]).toMatchObject({ method: 'POST', url: '/copy', body: 'payload' });
    expect(mirror.seen[0]?.headers.host).toBe('shop.local-shadow');
    expect(mirror.seen.length).toBe(2);
    const metrics = (await send(gw.adminUrl, '/metrics')).body;
    expect(metrics).toContain('baton_gateway_mirror_dropped_total 8');
  });

  it("counts each mirrored answer in the mirror cluster's metrics and stats, as Envoy counts shadow requests", async () => {
    const main = await startUpstream('main');
    const mirror = await startUpstream('mirror', (_req, res) => {
      res.statusCode = 500;
      res.end('mirror failed');
    });
    cleanup.push(
      () => main.close(),
      () => mirror.close(),
    );
    await gw.apply({
      version: 5,
      routes: [{ name: 'm', destinations: [{ cluster: 'main', weight: 100 }], mirror: { cluster: 'mirror', percentage: 100 } }],
      clusters: { main: { endpoints: [main.key], labels: { revision: 'v1' } }, mirror: { endpoints: [mirror.key], labels: { revision: 'v2' } } },
    });
    for (let i = 0; i < 5; i++) expect((await send(gw.url, `/m/${i}`)).status).toBe(200);
    // The copies finish after the answers the client got: wait until the stats have all five.
    const stats = await waitFor(async () => {
      const s = JSON.parse((await send(gw.adminUrl, '/stats?cluster=mirror&window=60s')).body) as { requests: number };
      return s.requests >= 5 && s;
    }, 10_000, 'the five mirrored answers in the stats');
    expect(stats).toMatchObject({ requests: 5 });
    const metrics = (await send(gw.adminUrl, '/metrics')).body;
    const line = metrics.split('\n').find((l) => l.startsWith('http_requests_total{') && l.includes('revision="v2"') && l.includes('status="500"'));
    expect(line?.endsWith(' 5')).toBe(true);
    const userFacing = metrics.split('\n').find((l) => l.startsWith('http_requests_total{') && l.includes('revision="v1"') && l.includes('status="200"'));
    expect(userFacing?.endsWith(' 5')).toBe(true);
  });
});
