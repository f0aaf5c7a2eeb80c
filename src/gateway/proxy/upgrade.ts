/**
 * Upgrade requests (WebSocket, RFC 6455 section 4): routed like any request, then the
 * upstream's `101 Switching Protocols` is relayed and the two sockets are spliced. The
 * endpoint counts the connection in flight until either side closes, so a drain waits for it.
 */
import { performance } from 'node:perf_hooks';
import { request, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import { findRoute, normalizeHost, rewritePath } from '../routing/match.js';
import { pickEndpoint } from '../routing/balance.js';
import type { CompiledRoute } from '../config/compile.js';
import { GatewayError } from '../errors.js';
import type { Endpoint } from './endpoints.js';
import { chooseDestination, pathOf, type ProxyContext } from './forward.js';
import { upstreamRequestHeaders } from './headers.js';
import { sendErrorOnSocket } from './respond.js';

function headLines(statusCode: number, statusMessage: string, rawHeaders: readonly string[]): string {
  let s = `HTTP/1.1 ${statusCode} ${statusMessage}\r\n`;
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) s += `${rawHeaders[i]}: ${rawHeaders[i + 1]}\r\n`;
  return s + '\r\n';
}

/** The proxy listener's `upgrade` handler. */
export function createUpgradeHandler(ctx: ProxyContext): (req: IncomingMessage, socket: Duplex, head: Buffer) => void {
  return function onUpgrade(req, duplex, head) {
    const socket = duplex as Socket;
    socket.on('error', () => socket.destroy());
    const cfg = ctx.config;
    const url = req.url ?? '/';
    const path = pathOf(url);
    const method = req.method ?? 'GET';
    const found = findRoute(cfg.routes, { host: normalizeHost(req.headers.host), path, method, headers: req.headers });
    if (found.index < 0) {
      sendErrorOnSocket(socket, new GatewayError('no-route', `no route matches ${method} ${req.headers.host ?? ''}${path}`));
      return;
    }
    const route = cfg.routes[found.index] as CompiledRoute<Endpoint>;
    const dest = route.destinations[chooseDestination(route, req.headers)];
    const ep = dest && pickEndpoint(dest.cluster.balancer, dest.cluster.endpoints, performance.now());
    if (!dest || !ep) {
      sendErrorOnSocket(socket, new GatewayError('no-endpoint', `cluster ${dest?.cluster.name ?? '?'} has no endpoint`, route.name, dest?.cluster.name));
      return;
    }
    const upstreamPath = route.rewriteUri !== undefined ? rewritePath(url, path, found.match, route.rewriteUri) : url;
    const headers = upstreamRequestHeaders(req.headers, socket.remoteAddress, route.rewriteAuthority, true);
    ctx.endpoints.begin(ep);
    let ended = false;
    const end = (): void => {
      if (ended) return;
      ended = true;
      ctx.endpoints.end(ep);
    };
    // A dedicated connection: an upgraded socket leaves the keep-alive pool for good.
    const p = request({ host: ep.host, port: ep.port, method, path: upstreamPath, headers, agent: false });
    p.on('upgrade', (pres: IncomingMessage, upstream: Socket, upstreamHead: Buffer) => {
      ctx.upgraded.add(socket);
      socket.once('close', () => ctx.upgraded.delete(socket));
      socket.write(headLines(pres.statusCode ?? 101, pres.statusMessage ?? 'Switching Protocols', pres.rawHeaders));
      if (upstreamHead.length > 0) socket.write(upstreamHead);
      if (head.length > 0) upstream.write(head);
      upstream.on('error', () => socket.destroy());
      socket.on('error', () => upstream.destroy());
      upstream.once('close', () => {
        socket.destroy();
        end();
      });
      socket.once('close', () => upstream.destroy());
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    p.on('response', (pres: IncomingMessage) => {
      // The upstream refused to switch: relay its answer and close.
      const kept: string[] = [];
      for (let i = 0; i + 1 < pres.rawHeaders.length; i += 2) {
        const name = pres.rawHeaders[i] as string;
        if (!/^(connection|transfer-encoding|keep-alive)$/i.test(name)) kept.push(name, pres.rawHeaders[i + 1] as string);
      }
      kept.push('connection', 'close');
      socket.write(headLines(pres.statusCode ?? 502, pres.statusMessage ?? '', kept));
      pres.pipe(socket);
      pres.once('end', end);
    });
    p.on('error', (err: NodeJS.ErrnoException) => {
      end();
      ctx.metrics.health.upstreamConnectErrors++;
      sendErrorOnSocket(socket, new GatewayError('upstream-unreachable', `upstream ${ep.key}: ${err.code ?? err.message}`, route.name, dest.cluster.name));
    });
    p.end();
  };
}
