/**
 * The request-framing suites' rig: a recording upstream (a `net.Server` that keeps every byte
 * it receives and answers each request it parses), a real gateway in front of it, and a raw
 * client that writes exact bytes and reads the answers. Each case gets its own gateway and
 * upstream, and both are closed before the bytes are compared, so what the upstream received
 * is final: nothing can still be on its way.
 */
import { createServer, connect, type Server, type Socket, type AddressInfo } from 'node:net';
import { expect } from 'vitest';
import { ResponseReader } from '../../../src/gateway/proxy/http1-response.js';
import type { RunningGateway } from '../../../src/gateway/server.js';
import { splitConfig, startTestGateway } from '../support.js';

/** A request as the recording upstream parsed it. */
export interface Recorded {
  readonly method: string;
  readonly target: string;
  /** The head, request line to blank line, as received. */
  readonly head: string;
  /** The body, framing removed. */
  readonly body: string;
  /** The request's bytes exactly as received, head and framed body. */
  readonly raw: string;
}

/** The answer the recorder gives to its `n`-th request (0-based): raw bytes of a whole response. */
export type Answer = (req: Recorded, n: number) => string;

/** `200` with a body naming the request, so a client can tell which request an answer is for. */
export const echo: Answer = (req, n) => {
  const body = `#${n} ${req.method} ${req.target} ${req.body}`;
  return `HTTP/1.1 200 OK\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${req.method === 'HEAD' ? '' : body}`;
};

/**
 * Splits and reads the requests in `bytes` as an HTTP/1.1 server would (CRLF or LF lines,
 * `Transfer-Encoding: chunked` over `Content-Length`), returning those complete and where the
 * next one starts. Lenient on purpose: smuggled bytes the gateway let through show up as
 * requests of their own.
 */
export function parseRequests(bytes: string): { requests: Recorded[]; used: number } {
  const requests: Recorded[] = [];
  let pos = 0;
  for (;;) {
    const m = /\r?\n\r?\n/.exec(bytes.slice(pos));
    if (m === null) break;
    const headEnd = pos + m.index + m[0].length;
    const head = bytes.slice(pos, headEnd);
    const [line = ''] = head.split(/\r?\n/);
    const [method = '', target = ''] = line.split(' ');
    const field = (name: string): string | undefined => new RegExp(`^${name}:[ \\t]*(.*?)[ \\t]*\\r?$`, 'im').exec(head)?.[1];
    let body = '';
    let end = headEnd;
    if (/chunked/i.test(field('transfer-encoding') ?? '')) {
      let p = headEnd;
      let complete = false;
      for (;;) {
        const eol = bytes.indexOf('\n', p);
        if (eol < 0) break;
        const size = parseInt(bytes.slice(p, eol), 16);
        if (Number.isNaN(size)) break;
        if (size === 0) {
          const fin = bytes.indexOf('\r\n\r\n', eol - 1);
          if (fin < 0) break;
          end = fin + 4;
          complete = true;
          break;
        }
        if (eol + 1 + size + 2 > bytes.length) break;
        body += bytes.slice(eol + 1, eol + 1 + size);
        p = eol + 1 + size + 2;
      }
      if (!complete) break;
    } else {
      const n = Number(field('content-length') ?? '0');
      if (headEnd + n > bytes.length) break;
      body = bytes.slice(headEnd, headEnd + n);
      end = headEnd + n;
    }
    requests.push({ method, target, head, body, raw: bytes.slice(pos, end) });
    pos = end;
  }
  return { requests, used: pos };
}

/** An upstream that records the exact bytes of every connection and answers each request it reads. */
export interface Recorder {
  readonly key: string;
  /** Bytes received, per connection, in the order the connections were accepted. */
  readonly connections: string[];
  /** Requests read, over all connections. */
  readonly requests: Recorded[];
  /**
   * All bytes received: each request's bytes in the order the requests arrived (whatever
   * connection carried them), then the bytes of each connection that made no whole request.
   */
  bytes(): string;
  close(): Promise<void>;
}

export async function startRecorder(answer: Answer = echo): Promise<Recorder> {
  const connections: string[] = [];
  const leftovers: string[] = [];
  const requests: Recorded[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((s) => {
    sockets.add(s);
    const i = connections.push('') - 1;
    leftovers.push('');
    s.on('data', (d: Buffer) => {
      const text = d.toString('latin1');
      connections[i] += text;
      const pending = (leftovers[i] as string) + text;
      const { requests: got, used } = parseRequests(pending);
      leftovers[i] = pending.slice(used);
      for (const r of got) {
        requests.push(r);
        s.write(answer(r, requests.length - 1), 'latin1');
      }
    });
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    key: `127.0.0.1:${port}`,
    connections,
    requests,
    bytes: () => requests.map((r) => r.raw).join('') + leftovers.join(''),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** An answer as the raw client read it. */
export interface ClientReply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** What a client saw: the answers in order, and whether the gateway closed the connection. */
export interface Exchange {
  readonly replies: ClientReply[];
  readonly closed: boolean;
}

/** A raw client connection: the answers read so far, and whether the server closed it. */
export interface Conversation {
  readonly replies: readonly ClientReply[];
  readonly closed: boolean;
  /**
   * Resolves true once `enough()` holds or the server has closed the connection, false when
   * `ms` pass first (the server neither answered nor closed); rejects on an answer that is not
   * valid HTTP/1.1.
   */
  until(enough: () => boolean, ms: number): Promise<boolean>;
  /** Closes the client's side at once. */
  close(): void;
}

/**
 * Opens a connection to `port`, writes `bytes` (several pieces are written apart, each after
 * the server has had a turn to read the one before; `end` then closes the sending side) and
 * reads the answers as they come. `heads` lists, per answer, whether its request was a HEAD.
 */
export function converse(port: number, bytes: string | readonly string[], heads: readonly boolean[] = [], end = false): Conversation {
  const socket = connect(port, '127.0.0.1');
  const replies: ClientReply[] = [];
  let reader: ResponseReader | undefined;
  let closed = false;
  let failure: Error | undefined;
  /** Called on every answer, close or failure, by the `until` waiting now. */
  let wake: (() => void) | undefined;
  const feed = (d: Buffer): void => {
    let rest: Buffer | undefined = d;
    while (rest !== undefined && rest.length > 0 && failure === undefined) {
      if (reader === undefined) {
        const reply = { status: 0, headers: {} as ClientReply['headers'], body: '' };
        const chunks: Buffer[] = [];
        reader = new ResponseReader(
          {
            head: (h) => {
              reply.status = h.status;
              reply.headers = h.headers;
            },
            data: (c) => chunks.push(Buffer.from(c)),
            end: () => {
              reply.body = Buffer.concat(chunks).toString('latin1');
              replies.push(reply);
            },
          },
          heads[replies.length] ?? false,
        );
      }
      try {
        rest = reader.push(rest);
      } catch (e) {
        failure = e instanceof Error ? e : new Error(String(e));
        socket.destroy();
      }
      if (rest !== undefined) reader = undefined;
    }
    wake?.();
  };
  socket.on('data', feed);
  socket.on('error', () => undefined);
  socket.once('close', () => {
    closed = true;
    // A close-delimited answer ends with the connection; one cut short is not an answer.
    try {
      reader?.close();
    } catch {
      // cut short
    }
    wake?.();
  });
  socket.once('connect', () => {
    const parts = typeof bytes === 'string' ? [bytes] : bytes;
    let i = 0;
    const next = (): void => {
      const p = parts[i++];
      if (p === undefined) {
        if (end) socket.end();
        return;
      }
      socket.write(p, 'latin1', () => setImmediate(next));
    };
    next();
  });
  return {
    replies,
    get closed() {
      return closed;
    },
    until: (enough, ms) =>
      new Promise((resolve, reject) => {
        const done = (ok: boolean): void => {
          clearTimeout(guard);
          wake = undefined;
          if (failure !== undefined) reject(failure);
          else resolve(ok);
        };
        // A bound, for a server that neither answers nor closes.
        const guard = setTimeout(() => done(false), ms);
        wake = () => {
          if (failure !== undefined || closed || enough()) done(true);
        };
        wake();
      }),
    close: () => {
      if (!closed) socket.destroy();
    },
  };
}

/**
 * Writes `bytes` on a new connection to `port` and reads answers until `expected` have come and,
 * when `untilClose`, the gateway has closed the connection (else the client closes it).
 * `heads` lists, per answer, whether its request was a HEAD.
 */
export async function exchange(port: number, bytes: string | readonly string[], expected: number, untilClose: boolean, heads: readonly boolean[] = [], end = false): Promise<Exchange> {
  const c = converse(port, bytes, heads, end);
  try {
    const settled = await c.until(() => c.replies.length >= expected && (!untilClose || c.closed), 5000);
    if (!settled) throw new Error(`after 5 s: ${c.replies.length} of ${expected} answers (${c.replies.map((r) => r.status).join(', ')}), connection ${c.closed ? 'closed' : 'open'}`);
    return { replies: [...c.replies], closed: c.closed };
  } finally {
    c.close();
  }
}

/** A gateway with one catch-all route to `recorder`. */
export function startFramingGateway(recorder: Recorder): Promise<RunningGateway> {
  return startTestGateway(splitConfig(1, { up: { endpoints: [recorder.key] } }, { up: 100 }));
}

/** The forwarding fields the gateway adds after the client's own (`headers.ts`), for a client on 127.0.0.1 with `Host: host`. */
export function forwarding(host: string): string {
  return `x-forwarded-for: 127.0.0.1\r\nx-forwarded-proto: http\r\nx-forwarded-host: ${host}\r\n`;
}

/** Fields every case's client sends, so the forwarded head is known to the byte (no generated request id). */
export const H = 'host: h\r\nx-request-id: t\r\n';

/** What Node's HTTP client adds to requests with a body (the upstream path for those, `forward.ts`). */
export const KA = 'Connection: keep-alive\r\n';

/** The framing field the gateway sets on a chunked body it forwards. */
export const TE = 'transfer-encoding: chunked\r\n';

/**
 * A request as the gateway forwards it: `line`, the client's `fields` as given (hop-by-hop ones
 * left out by the caller), the forwarding fields for `Host: h`, then `tail` and `body`.
 */
export function fwd(line: string, fields: string, tail = '', body = '', host = 'h'): string {
  return `${line}\r\n${fields}${forwarding(host)}${tail}\r\n${body}`;
}

/** One case of a framing table. */
export interface FramingCase {
  /** What the case shows. */
  readonly name: string;
  /** Bytes the client writes (several pieces are written one after the other). */
  readonly send: string | readonly string[];
  /** The statuses the client gets, in order. */
  readonly statuses: readonly number[];
  /** Exactly the bytes the upstream receives ('' for nothing); a function gets the upstream's `HOST:PORT`. */
  readonly upstream: string | ((key: string) => string);
  /** The client closes its sending side after the bytes. */
  readonly end?: boolean;
  /** Whether the gateway closes the connection after the last answer (default: when an answer is 4xx/5xx). */
  readonly closes?: boolean;
  /** Per answer, whether its request was a HEAD. */
  readonly heads?: readonly boolean[];
  /** The answer the upstream gives (default `echo`). */
  readonly answer?: Answer;
  /** Extra checks on what the client saw and the upstream recorded. */
  readonly check?: (x: Exchange, recorder: Recorder) => void;
}

/** Runs one case on its own gateway and upstream, and checks both ends byte for byte. */
export async function runCase(c: FramingCase): Promise<void> {
  const recorder = await startRecorder(c.answer);
  const gw = await startFramingGateway(recorder);
  const closes = c.closes ?? c.statuses.some((s) => s >= 400);
  let x: Exchange;
  try {
    x = await exchange(gw.port, c.send, c.statuses.length, closes, c.heads, c.end);
  } finally {
    await gw.close();
    await recorder.close();
  }
  expect(x.replies.map((r) => r.status)).toEqual(c.statuses);
  expect(recorder.bytes()).toBe(typeof c.upstream === 'string' ? c.upstream : c.upstream(recorder.key));
  if (closes) {
    expect(x.closed).toBe(true);
    if (x.replies.length > 0) expect(x.replies[x.replies.length - 1]?.headers.connection).toBe('close');
  } else expect(x.replies[x.replies.length - 1]?.headers.connection).not.toBe('close');
  c.check?.(x, recorder);
}
