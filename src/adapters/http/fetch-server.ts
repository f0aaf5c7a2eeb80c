/**
 * A Fetch-style handler, `(Request) => Promise<Response>`, on a node:http listener: the control
 * API's socket and the standalone embedded Prometheus' both.
 *
 * The request body is not read before the handler asks for it: a handler that refuses a request
 * (no token) answers without reading a byte of it, and the connection is then closed rather than
 * drained, so an unauthenticated client cannot make the server read (or hold) large bodies. A
 * body is read up to `maxBodyBytes`; a larger one (by its Content-Length, or once that many
 * bytes have come) is a {@link BodyTooLargeError}, answered 413 with the connection closed
 * (RFC 9110 section 15.5.14: the server "MAY close the connection to prevent the client from
 * continuing the request").
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BatonError } from '../../core/errors.js';

/** The default largest request body: 8 MiB (a manifest set with large ConfigMap-like strings fits). */
export const DEFAULT_MAX_BODY_BYTES = 8 << 20;

/** A request body over the server's limit; the handler's read of the body rejects with it. */
export class BodyTooLargeError extends BatonError {
  constructor(readonly limit: number) {
    super('body-too-large', `the request body is larger than ${limit} bytes (${formatMiB(limit)}), the most this server reads`, { limit });
  }
}

function formatMiB(bytes: number): string {
  return `${Math.round((bytes / (1 << 20)) * 100) / 100} MiB`;
}

/** The request's body as a stream that the handler pulls, erroring past `limit` bytes. */
function bodyStream(req: IncomingMessage, limit: number): ReadableStream<Uint8Array> {
  let size = 0;
  const iterator = req[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = (await iterator.next()) as IteratorResult<Buffer>;
      if (next.done) return controller.close();
      size += next.value.length;
      if (size > limit) return controller.error(new BodyTooLargeError(limit));
      controller.enqueue(new Uint8Array(next.value.buffer, next.value.byteOffset, next.value.length));
    },
    cancel() {
      req.destroy();
    },
  });
}

/** The request target as a URL: origin-form (`/a?b`) against a fixed origin, never read as a host. */
function requestUrl(target: string | undefined): URL {
  const t = target ?? '/';
  return new URL(t.startsWith('/') ? `http://localhost${t}` : t, 'http://localhost');
}

function toRequest(req: IncomingMessage, limit: number): Request {
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers.set(k, v);
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
  // `duplex: 'half'` is what undici asks of a streamed request body (not in lib.dom's RequestInit yet).
  const init: RequestInit & { duplex?: 'half' } = { method: req.method ?? 'GET', headers, ...(hasBody ? { body: bodyStream(req, limit), duplex: 'half' } : {}) };
  return new Request(requestUrl(req.url), init);
}

/** A Response's headers for node:http; each `Set-Cookie` stays its own header line (RFC 6265 section 3). */
function responseHeaders(h: Headers): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = Object.fromEntries(h.entries());
  const cookies = h.getSetCookie();
  if (cookies.length) out['set-cookie'] = cookies;
  return out;
}

/**
 * Writes a streamed body as it comes, waiting on backpressure; a client that goes away cancels
 * the stream (its producer stops), and a producer that fails ends the connection.
 */
async function writeStream(body: ReadableStream<Uint8Array>, res: ServerResponse): Promise<void> {
  const reader = body.getReader();
  let gone = false;
  const onClose = (): void => {
    gone = true;
    reader.cancel().catch(() => undefined);
  };
  res.once('close', onClose);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done || gone) break;
      if (!res.write(value)) await new Promise<void>((resolve) => (gone ? resolve() : res.once('drain', resolve).once('close', resolve)));
    }
    res.end();
  } catch {
    res.destroy();
  } finally {
    res.off('close', onClose);
  }
}

export interface RunningFetchServer {
  /** e.g. http://127.0.0.1:7070 */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Options of {@link startFetchServer}. */
export interface FetchServerOptions {
  /** Largest request body read; default {@link DEFAULT_MAX_BODY_BYTES}. */
  maxBodyBytes?: number;
  /** The JSON body of a 500 or 413 answer; default `{"error": {"code", "message"}}`. */
  errorBody?: (message: string, code: string) => unknown;
}

/**
 * Listens on `host:port` (port 0 picks one) and serves `handle`; a handler that throws answers
 * 500 (413 for a {@link BodyTooLargeError}) with `errorBody(message, code)`.
 */
export async function startFetchServer(host: string, port: number, handle: (req: Request) => Promise<Response>, opts: FetchServerOptions = {}): Promise<RunningFetchServer> {
  const limit = opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const errorBody = opts.errorBody ?? ((message: string, code: string) => ({ error: { code, message } }));
  const fail = (res: ServerResponse, status: number, code: string, message: string): void => {
    if (!res.headersSent) res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(errorBody(message, code)));
  };
  const server: Server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      res.setHeader('connection', 'close');
      fail(res, 413, 'body-too-large', new BodyTooLargeError(limit).message);
      return;
    }
    let request: Request;
    try {
      request = toRequest(req, limit);
    } catch (e) {
      // A request target `new URL` cannot read (`http://[bad`): the client's error.
      fail(res, 400, 'invalid-path', `the request target ${JSON.stringify(req.url)} is not a valid URL: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    handle(request)
      .then(async (r) => {
        // A stream of events is written as it comes; anything else is read whole first, so a
        // failure while producing it is still answered 500.
        const streamed = r.body !== null && (r.headers.get('content-type') ?? '').startsWith('text/event-stream');
        const body = streamed ? undefined : Buffer.from(await r.arrayBuffer());
        // A body left unread (refused before reading it) is not drained: Node closes a
        // `connection: close` socket once the answer is written.
        if (!req.complete) res.setHeader('connection', 'close');
        res.writeHead(r.status, responseHeaders(r.headers));
        if (body) res.end(body);
        else await writeStream(r.body as ReadableStream<Uint8Array>, res);
      })
      .catch((e: unknown) => {
        if (e instanceof BodyTooLargeError) {
          res.setHeader('connection', 'close');
          fail(res, 413, e.code, e.message);
        } else fail(res, 500, 'internal', e instanceof Error ? e.message : String(e));
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${bound}`,
    port: bound,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
