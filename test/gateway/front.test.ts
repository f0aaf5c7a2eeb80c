/**
 * The raw client-side path (`src/gateway/proxy/front.ts`) over real sockets: pipelined
 * requests, heads split across packets, chunked and Content-Length bodies served in place,
 * malformed or long heads refused with the connection closed, `Connection: close`, a client
 * that leaves mid-request, and a client that pipelines far more than it reads. The framing
 * cases one by one are in `test/gateway/framing/`.
 */
import { connect, type Socket } from 'node:net';
import type { IncomingHttpHeaders } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../../src/gateway/server.js';
import { ResponseReader } from '../../src/gateway/proxy/http1-response.js';
import { send, splitConfig, startTestGateway, startUpstream, type Upstream } from './support.js';

interface RawReply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A client on a bare socket that writes whatever bytes it is given and reads answers in order. */
class RawClient {
  readonly socket: Socket;
  readonly replies: RawReply[] = [];
  readonly closed: Promise<void>;
  private reader: ResponseReader | undefined;
  private chunks: Buffer[] = [];
  private readonly heads: boolean[] = [];
  private waiters: Array<() => void> = [];

  constructor(port: number) {
    this.socket = connect(port, '127.0.0.1');
    this.socket.on('data', (d: Buffer) => this.feed(d));
    this.socket.on('error', () => undefined);
    this.closed = new Promise((r) => this.socket.once('close', () => r()));
    this.socket.once('close', () => {
      // A close-delimited answer ends with the connection.
      try {
        this.reader?.close();
      } catch {
        // Cut short: not an answer.
      }
      this.wake();
    });
  }

  /** Writes `bytes`; `isHead` lists, per request in them, whether it is a HEAD (its answer has no body). */
  write(bytes: string | Buffer, isHead: boolean[] = [false]): void {
    this.heads.push(...isHead);
    this.socket.write(bytes);
  }

  /** Resolves once `n` answers were read in all (rejects if the connection closes first). */
  async waitReplies(n: number): Promise<RawReply[]> {
    while (this.replies.length < n) {
      if (this.socket.destroyed) throw new Error(`connection closed after ${this.replies.length} of ${n} answers`);
      await new Promise<void>((r) => this.waiters.push(r));
    }
    return this.replies.slice(0, n);
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  private feed(d: Buffer): void {
    let rest: Buffer | undefined = d;
    while (rest !== undefined && rest.length > 0) {
      if (this.reader === undefined) {
        const reply: RawReply = { status: 0, headers: {}, body: '' };
        this.chunks = [];
        this.reader = new ResponseReader(
          {
            head: (h) => {
              reply.status = h.status;
              reply.headers = h.headers;
            },
            data: (c) => this.chunks.push(Buffer.from(c)),
            end: () => {
              reply.body = Buffer.concat(this.chunks).toString();
              this.replies.push(reply);
            },
          },
          this.heads.shift() ?? false,
        );
      }
      rest = this.reader.push(rest);
      if (rest !== undefined) {
        this.reader = undefined;
      }
    }
    this.wake();
  }
}

let gw: RunningGateway;
let up: Upstream;
/** Resolves when the upstream has received a request to /hold; its answer never comes. */
let holdSeen: Promise<{ closed: Promise<void> }>;
let markHold: (v: { closed: Promise<void> }) => void;
/** Resolves with a function that answers the request to /gate when called. */
let gateSeen: Promise<() => void>;
let markGate: (release: () => void) => void;

beforeAll(async () => {
  holdSeen = new Promise((r) => (markHold = r));
  gateSeen = new Promise((r) => (markGate = r));
  up = await startUpstream('front', (req, res, body) => {
    if (req.url === '/hold') {
      markHold({ closed: new Promise((r) => res.once('close', () => r())) });
      return;
    }
    if (req.url === '/chunks') {
      // No length: Node sends it chunked, and the gateway must frame it anew for its client.
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('first,');
      res.end('second');
      return;
    }
    if (req.url === '/empty') {
      res.writeHead(204, { 'x-empty': 'yes' });
      res.end();
      return;
    }
    if (req.url === '/gate') {
      markGate(() => res.end('released'));
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain', 'x-seen-te': String(req.headers.te), 'x-seen-secret': String(req.headers['x-secret']) });
    res.end(`${req.method} ${req.url} ${body}`);
  });
  gw = await startTestGateway(splitConfig(1, { front: { endpoints: [up.key], labels: { role: 'front' } } }, { front: 100 }));
});

afterAll(async () => {
  await gw.close();
  await up.close();
});

function client(): RawClient {
  return new RawClient(gw.port);
}

/** Yields to the event loop so that the next write goes out as its own segment. */
const nextTurn = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('raw front end', () => {
  it('answers pipelined requests in order on one connection, HEAD among them', async () => {
    const c = client();
    c.write('GET /a HTTP/1.1\r\nhost: x\r\n\r\nHEAD /b HTTP/1.1\r\nhost: x\r\n\r\nGET /c HTTP/1.1\r\nhost: x\r\n\r\n', [false, true, false]);
    const r = await c.waitReplies(3);
    expect(r.map((x) => [x.status, x.body])).toEqual([
      [200, 'GET /a '],
      [200, ''],
      [200, 'GET /c '],
    ]);
    expect(r[0]?.headers.date).toMatch(/GMT$/);
    c.socket.destroy();
  });

  it('frames an answer of unknown length as chunked and a 204 without a body, keeping the connection', async () => {
    const c = client();
    c.write('GET /chunks HTTP/1.1\r\nhost: x\r\n\r\nGET /empty HTTP/1.1\r\nhost: x\r\n\r\nGET /after HTTP/1.1\r\nhost: x\r\n\r\n', [false, false, false]);
    const r = await c.waitReplies(3);
    expect(r.map((x) => [x.status, x.body])).toEqual([
      [200, 'first,second'],
      [204, ''],
      [200, 'GET /after '],
    ]);
    expect([r[0]?.headers['transfer-encoding'], r[1]?.headers['transfer-encoding']]).toEqual(['chunked', undefined]);
    expect(r[1]?.headers['x-empty']).toBe('yes');
    c.socket.destroy();
  });

  it('reads a head that arrives a few bytes at a time', async () => {
    const c = client();
    const head = 'GET /split?q=1 HTTP/1.1\r\nhost: x\r\nx-long: abcdefghijklmnop\r\n\r\n';
    for (let i = 0; i < head.length; i += 5) {
      c.write(head.slice(i, i + 5), i === 0 ? [false] : []);
      await nextTurn();
    }
    const [r] = await c.waitReplies(1);
    expect(r?.body).toBe('GET /split?q=1 ');
    c.socket.destroy();
  });

  it('streams a Content-Length body itself and keeps serving the connection', async () => {
    const c = client();
    const big = 'b'.repeat(300 * 1024);
    c.write(`POST /post HTTP/1.1\r\nhost: x\r\ncontent-length: ${big.length}\r\n\r\n`);
    // The body in pieces, more than the front end holds before it pauses the socket.
    for (let i = 0; i < big.length; i += 50 * 1024) {
      c.write(big.slice(i, i + 50 * 1024), []);
      await nextTurn();
    }
    c.write('PUT /small HTTP/1.1\r\nhost: x\r\ncontent-length: 5\r\n\r\nhelloGET /after HTTP/1.1\r\nhost: x\r\n\r\n', [false, false]);
    const r = await c.waitReplies(3);
    expect(r.map((x) => x.body)).toEqual([`POST /post ${big}`, 'PUT /small hello', 'GET /after ']);
    // node:http would have added `connection: keep-alive`: the connection was never handed over.
    expect(r.map((x) => x.headers.connection)).toEqual([undefined, undefined, undefined]);
    c.socket.destroy();
  });

  it('reads and drops the rest of a body answered before it was read, then serves the next request', async () => {
    const own = await startTestGateway({
      version: 1,
      routes: [{ name: 'only-x', hosts: ['x'], destinations: [{ cluster: 'front', weight: 100 }] }],
      clusters: { front: { endpoints: [up.key] } },
    });
    try {
      const c = new RawClient(own.port);
      c.write('POST /nowhere HTTP/1.1\r\nhost: elsewhere\r\ncontent-length: 10\r\n\r\n01234');
      const [notFound] = await c.waitReplies(1);
      expect(notFound?.status).toBe(404);
      c.write('56789GET /next HTTP/1.1\r\nhost: x\r\n\r\n');
      const r = await c.waitReplies(2);
      expect(r[1]?.body).toBe('GET /next ');
      c.socket.destroy();
    } finally {
      await own.close();
    }
  });

  it('cuts the upstream request when the client leaves in the middle of the body', async () => {
    // Wrapped in an object: a promise resolved with a promise would wait for the inner one.
    const upstreamSawIt = new Promise<{ closed: Promise<void> }>((resolve) =>
      up.server.once('request', (req: import('node:http').IncomingMessage) => resolve({ closed: new Promise((r) => req.once('close', () => r())) })),
    );
    const c = client();
    c.write('POST /cut HTTP/1.1\r\nhost: x\r\ncontent-length: 1000\r\n\r\nonly-a-little');
    const upstream = await upstreamSawIt;
    c.socket.destroy();
    await upstream.closed;
    expect(up.seen.some((s) => s.url === '/cut')).toBe(false);
    await c.closed;
    expect(gw.context.metrics.health.inFlight).toBe(0);
  });

  it('serves chunked and Content-Length bodies itself, with the pipelined requests after them intact', async () => {
    const c = client();
    c.write(
      'GET /one HTTP/1.1\r\nhost: x\r\n\r\n' +
        'POST /two HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n' +
        'PUT /three HTTP/1.1\r\nhost: x\r\ncontent-length: 3\r\n\r\nabc' +
        'GET /four HTTP/1.1\r\nhost: x\r\n\r\n',
      [false, false, false, false],
    );
    const r = await c.waitReplies(4);
    expect(r.map((x) => x.body)).toEqual(['GET /one ', 'POST /two hello', 'PUT /three abc', 'GET /four ']);
    c.socket.destroy();
  });

  it('answers a malformed head with 400 and closes, also after a good request', async () => {
    const c = client();
    c.write('GET /ok HTTP/1.1\r\nhost: x\r\n\r\nGET / HTTP/1.1\r\nhost : x\r\n\r\n', [false, false]);
    await c.closed;
    expect(c.replies.map((x) => x.status)).toEqual([200, 400]);
    expect(JSON.parse(c.replies[1]?.body ?? '')).toMatchObject({ error: 'bad-request' });
  });

  it('answers a head over 16 KiB with 431 and serves one of 10 KiB', async () => {
    const big = client();
    big.write(`GET / HTTP/1.1\r\nhost: x\r\nx-big: ${'a'.repeat(17 * 1024)}\r\n\r\n`);
    await big.closed;
    expect(big.replies[0]?.status).toBe(431);
    expect(JSON.parse(big.replies[0]?.body ?? '')).toMatchObject({ error: 'request-header-too-large' });

    const mid = client();
    mid.write(`GET /mid HTTP/1.1\r\nhost: x\r\nx-big: ${'a'.repeat(10 * 1024)}\r\n\r\n`);
    const [r] = await mid.waitReplies(1);
    expect(r?.body).toBe('GET /mid ');
    mid.socket.destroy();
  });

  it('answers Connection: close with connection: close, then closes', async () => {
    const c = client();
    c.write('GET /bye HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n');
    await c.closed;
    expect(c.replies.map((x) => [x.body, x.headers.connection])).toEqual([['GET /bye ', 'close']]);
  });

  it('removes hop-by-hop request headers, those named in Connection included', async () => {
    const c = client();
    c.write('GET /hop HTTP/1.1\r\nhost: x\r\nconnection: x-secret\r\nx-secret: 1\r\nte: trailers\r\nkeep-alive: timeout=5\r\n\r\n');
    const [r] = await c.waitReplies(1);
    expect([r?.headers['x-seen-te'], r?.headers['x-seen-secret']]).toEqual(['undefined', 'undefined']);
    const seen = up.seen.find((s) => s.url === '/hop');
    expect(seen?.headers['keep-alive']).toBeUndefined();
    expect(seen?.headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(seen?.headers['x-forwarded-host']).toBe('x');
    expect(seen?.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    c.socket.destroy();
  });

  it('cuts the upstream request when the client leaves mid-request, counts 499 and leaves nothing in flight', async () => {
    const c = client();
    c.write('GET /hold HTTP/1.1\r\nhost: x\r\n\r\n');
    const held = await holdSeen;
    expect(gw.context.metrics.health.inFlight).toBe(1);
    c.socket.destroy();
    await held.closed;
    expect(gw.context.metrics.health.inFlight).toBe(0);
    expect(gw.context.endpoints.totalInFlight()).toBe(0);
    const metrics = await send(gw.adminUrl, '/metrics');
    expect(metrics.body).toContain('http_requests_total{role="front",route="main",method="GET",status="499"} 1');
  });

  it('on shutdown closes idle connections at once and answers the request in flight with connection: close', async () => {
    const own = await startTestGateway(splitConfig(1, { front: { endpoints: [up.key], labels: { role: 'front' } } }, { front: 100 }));
    const idle = new RawClient(own.port);
    idle.write('GET /idle HTTP/1.1\r\nhost: x\r\n\r\n');
    await idle.waitReplies(1);
    const busy = new RawClient(own.port);
    busy.write('GET /gate HTTP/1.1\r\nhost: x\r\n\r\n');
    const release = await gateSeen;
    const closing = own.close();
    await idle.closed;
    release();
    await busy.closed;
    expect(busy.replies.map((x) => [x.body, x.headers.connection])).toEqual([['released', 'close']]);
    expect(await closing).toBe(true);
  });

  it('answers 2,000 pipelined requests in order from a client that reads only at the end', async () => {
    const c = client();
    c.socket.pause();
    let all = '';
    for (let i = 0; i < 2000; i++) all += `GET /p${i} HTTP/1.1\r\nhost: x\r\nx-pad: ${'p'.repeat(40)}\r\n\r\n`;
    // About 150 KB: more than the front end holds before it pauses the socket.
    c.write(all, new Array<boolean>(2000).fill(false));
    await nextTurn();
    c.socket.resume();
    const r = await c.waitReplies(2000);
    expect(r.every((x, i) => x.body === `GET /p${i} `)).toBe(true);
    c.socket.destroy();
  });
});
