/**
 * A Fetch-style handler, `(Request) => Promise<Response>`, on a node:http listener: the control
 * API's socket and the standalone embedded Prometheus' both.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

const MAX_BODY = 16 << 20;

async function toRequest(req: IncomingMessage): Promise<Request> {
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers.set(k, v);
  let body: Buffer | undefined;
  if (req.method === 'POST' || req.method === 'PUT') {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of req) {
      const b = c as Buffer;
      size += b.length;
      if (size > MAX_BODY) throw new Error('request body too large');
      chunks.push(b);
    }
    body = Buffer.concat(chunks);
  }
  return new Request(new URL(req.url ?? '/', 'http://localhost'), { method: req.method ?? 'GET', headers, ...(body ? { body } : {}) });
}

export interface RunningFetchServer {
  /** e.g. http://127.0.0.1:7070 */
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * Listens on `host:port` (port 0 picks one) and serves `handle`; a handler that throws answers
 * 500 with `errorBody(message)` (default `{"error": {"code": "internal", "message"}}`).
 */
export async function startFetchServer(
  host: string,
  port: number,
  handle: (req: Request) => Promise<Response>,
  errorBody: (message: string) => unknown = (message) => ({ error: { code: 'internal', message } }),
): Promise<RunningFetchServer> {
  const server: Server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
    toRequest(req)
      .then(handle)
      .then(async (r) => {
        res.writeHead(r.status, Object.fromEntries(r.headers.entries())).end(Buffer.from(await r.arrayBuffer()));
      })
      .catch((e: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify(errorBody(e instanceof Error ? e.message : String(e))));
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
