/** The one place where gateway errors become HTTP answers: a status and a small JSON body naming route and cluster. */
import type { Socket } from 'node:net';
import { STATUS_CODES } from 'node:http';
import { GatewayError } from '../errors.js';
import type { ProxyResponse } from './forward.js';

/** `{"error":"no-endpoint","message":...,"route":...,"cluster":...}` */
export function errorBody(e: GatewayError): string {
  return JSON.stringify({ error: e.code, message: e.message, ...(e.route ? { route: e.route } : {}), ...(e.cluster ? { cluster: e.cluster } : {}) });
}

/**
 * Answers `e` on `res`, or cuts the connection when the upstream's headers were already sent
 * (the client then sees a truncated response, as with any proxy). `close` asks the client to
 * reconnect, used when the request body was not read (413).
 */
export function sendError(res: ProxyResponse, e: GatewayError, close = false): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = errorBody(e);
  const headers: Record<string, string | number> = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
  if (close) headers.connection = 'close';
  res.writeHead(e.status, headers);
  res.end(body);
}

/** The same answer written on a raw socket, for upgrade requests that never became a ServerResponse. */
export function sendErrorOnSocket(socket: Socket, e: GatewayError): void {
  const body = errorBody(e);
  socket.end(
    `HTTP/1.1 ${e.status} ${STATUS_CODES[e.status] ?? ''}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}
