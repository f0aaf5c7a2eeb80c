/**
 * The raw upstream path for requests without a body: pooled keep-alive connections to the
 * upstream, every way an HTTP/1.1 answer can be framed (Content-Length, chunked, until close,
 * none for HEAD), and a pooled connection the upstream closed while idle.
 */
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../../src/gateway/server.js';
import { send, splitConfig, startTestGateway, startUpstream, type Upstream } from './support.js';

let gw: RunningGateway;
let up: Upstream;
let upstreamConnections = 0;
const upstreamSockets = new Set<Socket>();
let rawServer: TcpServer;
let rawPort = 0;

beforeAll(async () => {
  up = await startUpstream('pool', (req, res) => {
    if (req.url === '/chunked') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('first,');
      res.end('second');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': 4, 'set-cookie': ['a=1', 'b=2'] });
    res.end(req.method === 'HEAD' ? undefined : 'pool');
  });
  up.server.on('connection', (s: Socket) => {
    upstreamConnections++;
    upstreamSockets.add(s);
    s.once('close', () => upstreamSockets.delete(s));
  });
  // An upstream that frames its answer by closing the connection (no Content-Length, not chunked).
  rawServer = createTcpServer((s) => {
    s.once('data', () => s.end('HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\n\r\nuntil-close'));
  });
  await new Promise<void>((r) => rawServer.listen(0, '127.0.0.1', r));
  rawPort = (rawServer.address() as AddressInfo).port;
  gw = await startTestGateway({
    version: 1,
    routes: [
      { name: 'raw', match: [{ uri: { prefix: '/raw' } }], destinations: [{ cluster: 'raw', weight: 100 }] },
      ...splitConfig(1, {}, { pool: 100 }).routes,
    ],
    clusters: { pool: { endpoints: [up.key] }, raw: { endpoints: [`127.0.0.1:${rawPort}`] } },
  });
});

afterAll(async () => {
  await gw.close();
  await up.close();
  await new Promise<void>((r) => rawServer.close(() => r()));
});

describe('raw upstream path', () => {
  it('reuses one upstream connection for requests in sequence and keeps repeated headers', async () => {
    const before = upstreamConnections;
    for (let i = 0; i < 20; i++) {
      const r = await send(gw.url, `/n${i}`);
      expect(r.status).toBe(200);
      expect(r.body).toBe('pool');
      expect(r.headers['set-cookie']).toEqual(['a=1', 'b=2']);
    }
    expect(upstreamConnections - before).toBe(1);
    expect(up.seen.at(-1)?.url).toBe('/n19');
  });

  it('relays a chunked answer whole, a HEAD answer without a body, and an answer framed by close', async () => {
    const c = await send(gw.url, '/chunked');
    expect(c.status).toBe(200);
    expect(c.body).toBe('first,second');
    const h = await send(gw.url, '/h', { method: 'HEAD' });
    expect(h.status).toBe(200);
    expect(h.headers['content-length']).toBe('4');
    expect(h.body).toBe('');
    const closed = await send(gw.url, '/raw');
    expect(closed.status).toBe(200);
    expect(closed.body).toBe('until-close');
    // The gateway still answers on a kept-alive connection after an answer framed by close.
    expect((await send(gw.url, '/after')).body).toBe('pool');
  });

  it('drops a pooled connection the upstream closed while idle and opens a new one', async () => {
    expect((await send(gw.url, '/warm')).status).toBe(200);
    const closes = [...upstreamSockets].map((s) => new Promise<void>((r) => s.once('close', () => r())));
    for (const s of upstreamSockets) s.destroy();
    await Promise.all(closes);
    const before = upstreamConnections;
    const r = await send(gw.url, '/again');
    expect(r.status).toBe(200);
    expect(r.body).toBe('pool');
    expect(upstreamConnections - before).toBe(1);
  });
});
