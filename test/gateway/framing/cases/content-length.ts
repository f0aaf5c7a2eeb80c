/**
 * Request framing, family 1: Content-Length, and Content-Length with Transfer-Encoding (the
 * CL.TE and TE.CL smuggling shapes). Each case sends raw bytes through a real gateway to a
 * recording upstream and checks, byte for byte, what the upstream received, and the statuses
 * the client got (RFC 9112 6.1-6.3, RFC 9110 8.6).
 */
import { H, KA, TE, fwd, type FramingCase } from '../support.js';

const post = (fields: string, body: string): string => `POST /p HTTP/1.1\r\n${H}${fields}\r\n${body}`;

export const contentLengthCases: FramingCase[] = [
  { name: 'CL.TE: Content-Length then Transfer-Encoding is refused', send: post('content-length: 6\r\ntransfer-encoding: chunked\r\n', '0\r\n\r\nG'), statuses: [400], upstream: '' },
  { name: 'TE.CL: Transfer-Encoding then Content-Length is refused', send: post('transfer-encoding: chunked\r\ncontent-length: 3\r\n', '8\r\nSMUGGLED\r\n0\r\n\r\n'), statuses: [400], upstream: '' },
  { name: 'CL.TE on a GET is refused', send: `GET / HTTP/1.1\r\n${H}content-length: 5\r\ntransfer-encoding: chunked\r\n\r\n0\r\n\r\n`, statuses: [400], upstream: '' },
  { name: 'Transfer-Encoding with Content-Length: 0 is refused', send: post('transfer-encoding: chunked\r\ncontent-length: 0\r\n', '0\r\n\r\n'), statuses: [400], upstream: '' },
  { name: 'two Content-Length fields with different values are refused', send: post('content-length: 5\r\ncontent-length: 6\r\n', 'hello!'), statuses: [400], upstream: '' },
  { name: 'a Content-Length list with different values is refused', send: post('content-length: 5, 6\r\n', 'hello!'), statuses: [400], upstream: '' },
  {
    name: 'two Content-Length fields of one value are forwarded as one',
    send: post('content-length: 5\r\ncontent-length: 5\r\n', 'hello'),
    statuses: [200],
    upstream: fwd('POST /p HTTP/1.1', `${H}content-length: 5\r\n`, KA, 'hello'),
  },
  {
    name: 'a Content-Length list of one value (RFC 9110 8.6) is forwarded as one value',
    send: post('content-length: 5, 5\r\n', 'hello'),
    statuses: [200],
    upstream: fwd('POST /p HTTP/1.1', `${H}content-length: 5\r\n`, KA, 'hello'),
  },
  {
    name: 'a Content-Length with leading zeros is forwarded normalized',
    send: post('content-length: 005\r\n', 'hello'),
    statuses: [200],
    upstream: fwd('POST /p HTTP/1.1', `${H}content-length: 5\r\n`, KA, 'hello'),
  },
  { name: 'a signed Content-Length is refused', send: post('content-length: +5\r\n', 'hello'), statuses: [400], upstream: '' },
  { name: 'a negative Content-Length is refused', send: post('content-length: -1\r\n', 'hello'), statuses: [400], upstream: '' },
  { name: 'a hexadecimal Content-Length is refused', send: post('content-length: 0x5\r\n', 'hello'), statuses: [400], upstream: '' },
  { name: 'a Content-Length of 16 digits (past 2^53) is refused', send: post('content-length: 9999999999999999\r\n', 'hello'), statuses: [400], upstream: '' },
  { name: 'an empty Content-Length is refused', send: post('content-length: \r\n', 'hello'), statuses: [400], upstream: '' },
  { name: 'a Content-Length with a space inside is refused', send: post('content-length: 1 0\r\n', 'hello'), statuses: [400], upstream: '' },
  {
    name: 'Content-Length named in Connection still frames a GET body',
    send: `GET /g HTTP/1.1\r\n${H}content-length: 5\r\nconnection: content-length\r\n\r\nhelloGET /next HTTP/1.1\r\n${H}\r\n`,
    statuses: [200, 200],
    upstream: fwd('GET /g HTTP/1.1', `${H}content-length: 5\r\n`, KA, 'hello') + fwd('GET /next HTTP/1.1', H),
  },
  {
    name: 'Host named in Connection is kept',
    send: `GET /g HTTP/1.1\r\n${H}connection: host\r\n\r\n`,
    statuses: [200],
    upstream: fwd('GET /g HTTP/1.1', H),
  },
  {
    name: 'the bytes after Content-Length are the next request',
    send: `${post('content-length: 5\r\n', 'hello')}GET /after HTTP/1.1\r\n${H}\r\n`,
    statuses: [200, 200],
    upstream: fwd('POST /p HTTP/1.1', `${H}content-length: 5\r\n`, KA, 'hello') + fwd('GET /after HTTP/1.1', H),
  },
  {
    name: 'a body shorter than Content-Length, then the client leaves: nothing complete reaches the upstream',
    send: post('content-length: 50\r\n', ''),
    end: true,
    statuses: [],
    closes: true,
    upstream: '',
  },
  {
    name: 'Content-Length: 0 on a POST is forwarded without a body',
    send: post('content-length: 0\r\n', ''),
    statuses: [200],
    upstream: fwd('POST /p HTTP/1.1', `${H}content-length: 0\r\n`),
  },
  {
    name: 'a chunked body with Transfer-Encoding named in Connection is still chunked',
    send: post('transfer-encoding: chunked\r\nconnection: transfer-encoding\r\n', '5\r\nhello\r\n0\r\n\r\n'),
    statuses: [200],
    upstream: fwd('POST /p HTTP/1.1', H, TE + KA, '5\r\nhello\r\n0\r\n\r\n'),
  },
];
