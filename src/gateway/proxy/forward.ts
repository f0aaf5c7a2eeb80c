/**
 * The request path: match a route, choose a destination and an endpoint, forward with
 * streaming both ways, retry once when the upstream could not have seen the request, and
 * count the answer. The config object is read once per request, so a swap in the middle of a
 * request changes nothing for it.
 */
import { request, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse, type ClientRequest, type OutgoingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { performance } from 'node:perf_hooks';
import type { CompiledConfig, CompiledDestination, CompiledRoute } from '../config/compile.js';
import { shouldMirror } from '../config/compile.js';
import { findRoute, normalizeHost, rewritePath } from '../routing/match.js';
import { pickByHash, pickSmooth, readCookie } from '../routing/weighted.js';
import { EJECT_MS, pickEndpoint } from '../routing/balance.js';
import { methodIndex, type MetricsRegistry } from '../metrics/registry.js';
import type { Endpoint, EndpointRegistry } from './endpoints.js';
import { upstreamRequestHeaders, stripHopByHop } from './headers.js';
import { GatewayError } from '../errors.js';
import { sendError } from './respond.js';
import { sendMirror, type MirrorState } from './mirror.js';
import { sendRequest } from './raw-upstream.js';

/** State shared by the proxy and the admin API; `config` is replaced whole on each apply. */
export interface ProxyContext {
  config: CompiledConfig<Endpoint>;
  readonly endpoints: EndpointRegistry;
  readonly metrics: MetricsRegistry;
  readonly mirror: MirrorState;
  /** Set on SIGTERM: answers carry `Connection: close` so clients move away. */
  draining: boolean;
  /** Client sockets of upgraded (WebSocket) connections: the HTTP server no longer tracks them, so shutdown closes them from here. */
  readonly upgraded: Set<Socket>;
}

/** A client request as the request path reads it: from `node:http`, or from the raw front end (`front.ts`). */
export interface ProxyRequest {
  readonly method: string;
  /** The request target as sent (origin form). */
  readonly url: string;
  /** Field names lower-cased, repeated fields combined as `IncomingMessage` does. */
  readonly headers: IncomingHttpHeaders;
  readonly remoteAddress: string | undefined;
  /** The body stream (an `IncomingMessage`, or the raw front end's reader of `Content-Length` bytes); undefined when there is none. */
  readonly body: Readable | undefined;
}

/**
 * The client's answer as the request path writes it: a `ServerResponse`, or the raw front
 * end's response. `close` fires once, when the answer is complete or the client has gone.
 */
export interface ProxyResponse {
  readonly headersSent: boolean;
  readonly writableFinished: boolean;
  readonly statusCode: number;
  setHeader(name: 'connection', value: 'close'): unknown;
  writeHead(status: number, headers: OutgoingHttpHeaders): unknown;
  /**
   * Optional: `writeHead` from field lines ready to send (`ResponseHead.relay`), which saves
   * building and serialising a header object; whether they hold `Date` and `Content-Length`.
   */
  writeHeadLines?(status: number, lines: string, hasDate: boolean, hasLength: boolean): unknown;
  /** False when the client is not keeping up; `drain` follows. */
  write(chunk: Buffer): boolean;
  end(body?: string): unknown;
  destroy(): unknown;
  once(event: 'close' | 'drain', listener: () => void): unknown;
}

/** RFC 9110 section 9.2.2: these may be repeated without a different effect. */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);

/** Errors where the connection never opened, so the upstream cannot have seen a byte. */
const CONNECT_ERRORS = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EADDRNOTAVAIL']);

/** What Node's HTTP client refuses in a request target (`INVALID_PATH_REGEX`); such targets keep that client. */
const UNSAFE_TARGET = /[^\u0021-\u00ff]/;

/** Methods for which Node's client sends no `content-length: 0` on an empty body. */
const NO_BODY_METHODS = new Set(['GET', 'HEAD', 'DELETE', 'OPTIONS', 'TRACE', 'CONNECT']);

/**
 * The upstream request head for the raw path: request line, `headers` one line per value, and
 * `Host` (`HOST:PORT` of the endpoint, as Node's client writes it) when the client sent none.
 */
export function requestHead(method: string, target: string, headers: OutgoingHttpHeaders, ep: { host: string; port: number }): string {
  let head = `${method} ${target} HTTP/1.1\r\n`;
  for (const k in headers) {
    const v = headers[k];
    if (v === undefined) continue;
    if (Array.isArray(v)) for (const x of v) head += `${k}: ${x}\r\n`;
    else head += `${k}: ${v}\r\n`;
  }
  if (headers.host === undefined) head += `host: ${ep.host.includes(':') ? `[${ep.host}]` : ep.host}:${ep.port}\r\n`;
  if (!NO_BODY_METHODS.has(method) && headers['content-length'] === undefined) head += 'content-length: 0\r\n';
  return `${head}\r\n`;
}

/** The request target without its query string. */
export function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

/** Index of the destination for this request: sticky by hash when `hashOn` names a present key, else smooth WRR. */
export function chooseDestination(route: CompiledRoute<Endpoint>, headers: IncomingHttpHeaders): number {
  const h = route.hashOn;
  if (h !== undefined) {
    let key: string | undefined;
    if ('header' in h) {
      const v = headers[h.header.toLowerCase()];
      key = Array.isArray(v) ? v.join(',') : v;
    } else key = readCookie(headers.cookie, h.cookie);
    if (key !== undefined && key !== '') return pickByHash(route.weights, route.totalWeight, key);
  }
  return pickSmooth(route.picker);
}

/** Another place to send a request whose first endpoint refused: same cluster first, then the route's other destinations. */
function retryTarget(route: CompiledRoute<Endpoint>, dest: CompiledDestination<Endpoint>, failed: Endpoint, now: number): { dest: CompiledDestination<Endpoint>; ep: Endpoint } | undefined {
  const same = pickEndpoint(dest.cluster.balancer, dest.cluster.endpoints, now, failed);
  if (same) return { dest, ep: same };
  for (const d of route.destinations) {
    if (d === dest || d.weight <= 0) continue;
    const ep = pickEndpoint(d.cluster.balancer, d.cluster.endpoints, now, failed);
    if (ep) return { dest: d, ep };
  }
  return undefined;
}

/**
 * The `node:http` request handler. The raw front end (`front.ts`) reads every request and hands
 * only upgrades to `node:http`, whose `upgrade` listener takes them; should llhttp serve one as
 * a plain request, it is the last on its connection, so no request after it is framed by
 * llhttp alone, and a transfer coding other than `chunked` (which llhttp lets through before a
 * final `chunked`) is refused as the front end refuses it.
 */
export function createRequestHandler(ctx: ProxyContext): (req: IncomingMessage, res: ServerResponse) => void {
  const proxy = createProxy(ctx);
  return (req, res) => {
    res.setHeader('connection', 'close');
    const te = req.headers['transfer-encoding'];
    if (te !== undefined && te.trim().toLowerCase() !== 'chunked') {
      sendError(res, new GatewayError('not-implemented', `transfer-encoding ${JSON.stringify(te)}: only chunked is supported`), true);
      req.resume();
      return;
    }
    proxy({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, remoteAddress: req.socket.remoteAddress, body: req }, res);
  };
}

/** Whether a failed exchange failed on the upstream's answer itself (not valid HTTP/1.1), from llhttp or `ResponseReader`. */
function isInvalidResponse(code: string): boolean {
  return code === 'EUPSTREAMPROTO' || code.startsWith('HPE_');
}

/** Relays an upstream answer's body to the client with backpressure (`Readable.pipe` needs a `Writable`). */
function relayBody(pres: IncomingMessage, res: ProxyResponse): void {
  pres.on('data', (chunk: Buffer) => {
    if (res.write(chunk)) return;
    pres.pause();
    res.once('drain', () => pres.resume());
  });
  pres.once('end', () => res.end());
}

/** The request path, for both front ends. */
export function createProxy(ctx: ProxyContext): (req: ProxyRequest, res: ProxyResponse) => void {
  const health = ctx.metrics.health;
  return function handle(req, res) {
    const cfg = ctx.config;
    const started = performance.now();
    health.inFlight++;
    const method = req.method;
    const url = req.url;
    const body = req.body;
    const path = pathOf(url);
    const found = findRoute(cfg.routes, { host: normalizeHost(req.headers.host), path, method, headers: req.headers });
    let finished = false;
    let status = 0;
    let timer: NodeJS.Timeout | undefined;
    /** Cuts the upstream side of the current attempt. */
    let abort: ((e?: Error) => void) | undefined;
    let dest: CompiledDestination<Endpoint> | undefined;
    /** The gateway answered the request itself mid-way (413, or 400 for a body whose framing failed): upstream errors after that are its own doing. */
    let refused = false;
    if (ctx.draining) res.setHeader('connection', 'close');

    // A body whose framing turns out wrong (front.ts) ends in an error: cut the upstream request
    // (the upstream never sees a complete one) and answer 400, closing the connection.
    body?.once('error', (e) => {
      if (finished || refused) return;
      refused = true;
      status = e instanceof GatewayError ? e.status : 400;
      if (abort !== undefined) abort();
      const route = found.index >= 0 ? cfg.routes[found.index] : undefined;
      sendError(res, e instanceof GatewayError ? new GatewayError(e.code, e.message, route?.name, dest?.cluster.name) : new GatewayError('bad-request', `request body: ${e.message}`, route?.name, dest?.cluster.name), true);
    });

    res.once('close', () => {
      health.inFlight--;
      finished = true;
      if (timer) clearTimeout(timer);
      // The client went away before the answer was complete: stop the upstream side too.
      if (abort !== undefined && !res.writableFinished) abort();
      if (dest === undefined) return;
      const s = status || (res.headersSent ? res.statusCode : 499);
      const ms = performance.now() - started;
      ctx.metrics.observe(dest.series, s, methodIndex(method), ms / 1000);
      dest.cluster.stats.record(Date.now(), s, ms);
    });

    if (found.index < 0) {
      ctx.metrics.countUnrouted();
      status = 404;
      sendError(res, new GatewayError('no-route', `no route matches ${method} ${req.headers.host ?? ''}${path}`));
      body?.resume();
      return;
    }
    const route = cfg.routes[found.index] as CompiledRoute<Endpoint>;
    const di = chooseDestination(route, req.headers);
    const chosen = route.destinations[di] as CompiledDestination<Endpoint>;
    dest = chosen;

    // The framing as the front end (or llhttp) read it; it is set again on the upstream request
    // below, so nothing the client's `Connection` names can leave a body unframed.
    const clHeader = req.headers['content-length'];
    const contentLength = clHeader === undefined ? -1 : Number(clHeader);
    const chunked = req.headers['transfer-encoding'] !== undefined;
    const hasBody = chunked || contentLength > 0;
    if (contentLength > route.maxBodyBytes) {
      status = 413;
      refused = true;
      sendError(res, new GatewayError('body-too-large', `request body of ${contentLength} bytes exceeds the limit of ${route.maxBodyBytes}`, route.name, chosen.cluster.name), true);
      return;
    }

    const first = pickEndpoint(chosen.cluster.balancer, chosen.cluster.endpoints, started);
    if (!first) {
      status = 503;
      sendError(res, new GatewayError('no-endpoint', `cluster ${chosen.cluster.name} has no endpoint`, route.name, chosen.cluster.name));
      body?.resume();
      return;
    }

    const upstreamPath = route.rewriteUri !== undefined ? rewritePath(url, path, found.match, route.rewriteUri) : url;
    const headers = upstreamRequestHeaders(req.headers, req.remoteAddress, route.rewriteAuthority);
    // RFC 9112 6.1 and 6.2: a body is forwarded with its framing, whatever the method (Node's
    // client frames a GET, DELETE or OPTIONS body only when told to).
    if (chunked) headers['transfer-encoding'] = 'chunked';
    else if (contentLength >= 0) headers['content-length'] = String(contentLength);
    if (ctx.draining) headers.connection = 'close';

    let mirrorBody: Buffer[] | undefined;
    let mirrorBytes = 0;
    const mirror = route.mirror;
    let mirrorOn = false;
    if (mirror !== undefined && shouldMirror(mirror)) {
      if (ctx.mirror.inFlight >= cfg.maxMirrorInFlight || contentLength > cfg.maxMirrorBodyBytes) health.mirrorDropped++;
      else if (!hasBody) sendMirror(ctx, mirror, method, upstreamPath, headers, undefined, route.timeoutMs);
      else {
        mirrorOn = true;
        mirrorBody = [];
      }
    }

    let bodyPiped = false;
    let bodyBytes = 0;
    let retried = false;
    // The common case (no body, no `Expect`, not shutting down) skips Node's HTTP client.
    const raw = !hasBody && !ctx.draining && req.headers.expect === undefined && (route.rewriteUri === undefined || !UNSAFE_TARGET.test(upstreamPath));

    function pipeBody(target: ClientRequest): void {
      bodyPiped = true;
      if (!hasBody || body === undefined) {
        target.end();
        return;
      }
      if (chunked || mirrorOn) {
        body.on('data', (chunk: Buffer) => {
          bodyBytes += chunk.length;
          if (bodyBytes > route.maxBodyBytes && !finished) {
            body.unpipe(target);
            refused = true;
            target.destroy();
            status = 413;
            sendError(res, new GatewayError('body-too-large', `request body exceeds the limit of ${route.maxBodyBytes} bytes`, route.name, dest?.cluster.name), true);
            return;
          }
          if (mirrorBody !== undefined) {
            mirrorBytes += chunk.length;
            if (mirrorBytes > cfg.maxMirrorBodyBytes) {
              mirrorBody = undefined;
              health.mirrorDropped++;
            } else mirrorBody.push(chunk);
          }
        });
        if (mirrorOn && mirror !== undefined)
          body.once('end', () => {
            if (mirrorBody !== undefined) sendMirror(ctx, mirror, method, upstreamPath, headers, Buffer.concat(mirrorBody), route.timeoutMs);
          });
      }
      body.pipe(target);
    }

    function fail(e: GatewayError): void {
      if (timer) clearTimeout(timer);
      if (finished) return;
      status = e.status;
      if (!bodyPiped) body?.resume();
      sendError(res, e, bodyPiped && body !== undefined && !body.readableEnded);
    }

    function attempt(d: CompiledDestination<Endpoint>, ep: Endpoint): void {
      dest = d;
      ctx.endpoints.begin(ep);
      let connected = false;
      let responded = false;
      let ended = false;
      const endOnce = (): void => {
        if (ended) return;
        ended = true;
        ctx.endpoints.end(ep);
      };
      const p = request({ host: ep.host, port: ep.port, method, path: upstreamPath, headers, agent: ep.agent });
      abort = (e) => p.destroy(e);
      p.once('close', endOnce);
      p.once('socket', (sock: Socket) => {
        if (sock.connecting) {
          sock.once('connect', () => {
            connected = true;
            if (!finished) pipeBody(p);
          });
        } else {
          connected = true;
          pipeBody(p);
        }
      });
      p.once('response', (pres: IncomingMessage) => {
        responded = true;
        if (timer) clearTimeout(timer);
        if (finished) {
          pres.resume();
          return;
        }
        const te = pres.headers['transfer-encoding'];
        if (te !== undefined && te.trim().toLowerCase() !== 'chunked') {
          // llhttp reads a body of another coding to the connection's end; nginx refuses it, and so does Baton.
          p.destroy();
          fail(new GatewayError('upstream-invalid-response', `upstream ${ep.key} answered with transfer-encoding ${JSON.stringify(te)}`, route.name, d.cluster.name));
          return;
        }
        status = pres.statusCode ?? 502;
        const h = stripHopByHop(pres.headers);
        if (ctx.draining) h.connection = 'close';
        res.writeHead(status, h);
        relayBody(pres, res);
        pres.once('error', () => res.destroy());
      });
      p.once('error', (err: NodeJS.ErrnoException) => {
        // Already answered by the upstream, closed by the client, or refused by us (413 or 400 mid-body).
        if (responded || finished || refused) return;
        upstreamFailed(err, d, ep, connected);
      });
    }

    /** The attempt on `ep` failed before any answer: retry when nothing can have reached the upstream, else 502/504. */
    function upstreamFailed(err: NodeJS.ErrnoException, d: CompiledDestination<Endpoint>, ep: Endpoint, connected: boolean): void {
      const code = err.code ?? '';
      if (isInvalidResponse(code)) {
        fail(new GatewayError('upstream-invalid-response', `upstream ${ep.key} of cluster ${d.cluster.name} sent an invalid response: ${err.message}`, route.name, d.cluster.name));
        return;
      }
      if (code === 'ETIMEDOUT_ROUTE') {
        fail(new GatewayError('upstream-timeout', `upstream ${ep.key} sent no answer within ${route.timeoutMs} ms`, route.name, d.cluster.name));
        return;
      }
      const neverConnected = !connected || CONNECT_ERRORS.has(code);
      const reset = code === 'ECONNRESET' || code === 'EPIPE' || err.message === 'socket hang up';
      if (neverConnected) ep.ejectedUntil = performance.now() + EJECT_MS;
      if (neverConnected || reset) {
        health.upstreamConnectErrors++;
        d.cluster.stats.recordConnectionFailure(Date.now());
      }
      // Safe to send again: nothing reached the upstream, or an idempotent request whose body we still hold (none).
      const replayable = neverConnected ? true : reset && IDEMPOTENT.has(method) && !hasBody;
      if (!retried && replayable && (!bodyPiped || !hasBody)) {
        const next = retryTarget(route, d, ep, performance.now());
        if (next) {
          retried = true;
          health.retries++;
          if (raw) attemptRaw(next.dest, next.ep);
          else attempt(next.dest, next.ep);
          return;
        }
      }
      fail(new GatewayError('upstream-unreachable', `upstream ${ep.key} of cluster ${d.cluster.name}: ${code || err.message}`, route.name, d.cluster.name));
    }

    /**
     * A request without a body on the raw path (`raw-upstream.ts`). `fresh` opens a new
     * connection: a pooled one that the upstream closed while idle fails on first use, and an
     * idempotent request is then sent once more on a new connection to the same endpoint,
     * as Node's and undici's clients do for a stale keep-alive socket.
     */
    function attemptRaw(d: CompiledDestination<Endpoint>, ep: Endpoint, fresh = false): void {
      dest = d;
      ctx.endpoints.begin(ep);
      let responded = false;
      const x = sendRequest(ep, requestHead(method, upstreamPath, headers, ep), method === 'HEAD', {
        onHead(h) {
          responded = true;
          if (timer) clearTimeout(timer);
          if (finished) return;
          status = h.status;
          if (h.relay !== undefined && res.writeHeadLines !== undefined) res.writeHeadLines(status, h.relay, h.hasDate, h.hasLength);
          else res.writeHead(status, stripHopByHop(h.headers));
        },
        onData(chunk) {
          if (finished || res.write(chunk)) return true;
          res.once('drain', () => x.resume());
          return false;
        },
        onEnd() {
          if (!finished) res.end();
        },
        onError(err, info) {
          if (finished) return;
          // Cut in the middle of the answer: the client sees a truncated response, as from the upstream.
          if (info.responded || responded) {
            res.destroy();
            return;
          }
          const code = err.code ?? '';
          if (info.reused && (code === 'ECONNRESET' || code === 'EPIPE') && IDEMPOTENT.has(method)) {
            health.retries++;
            attemptRaw(d, ep, true);
            return;
          }
          upstreamFailed(err, d, ep, info.connected);
        },
        onClose() {
          ctx.endpoints.end(ep);
        },
      }, fresh);
      abort = (e) => x.abort(e);
    }

    if (route.timeoutMs > 0) {
      timer = setTimeout(() => {
        const e = new Error('route timeout') as NodeJS.ErrnoException;
        e.code = 'ETIMEDOUT_ROUTE';
        if (abort !== undefined) abort(e);
      }, route.timeoutMs);
    }
    if (raw) attemptRaw(chosen, first);
    else attempt(chosen, first);
  };
}
