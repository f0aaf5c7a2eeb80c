/**
 * Request framing, family 5: a body is framed by Content-Length or Transfer-Encoding whatever
 * the method (RFC 9112 6.3), so a GET, HEAD, DELETE or OPTIONS body reaches the upstream with
 * its framing and can never be read there as a second request. Then pipelining after a body.
 */
import { expect } from 'vitest';
import { H, KA, TE, fwd, type FramingCase } from '../support.js';

const METHODS = ['GET', 'HEAD', 'DELETE', 'OPTIONS', 'POST', 'PUT', 'PATCH'] as const;
/** A body that is a whole request of its own: a gateway that forwards it unframed makes the upstream see two. */
const SMUGGLED = `POST /signup HTTP/1.1\r\nhost: h\r\ncontent-length: 0\r\n\r\n`;
const CHUNKED = `${SMUGGLED.length.toString(16)}\r\n${SMUGGLED}\r\n0\r\n\r\n`;

const oneRequestUpstream: FramingCase['check'] = (_x, recorder) => expect(recorder.requests.map((r) => r.target)).toEqual(['/m']);

export const methodCases: FramingCase[] = [];
for (const m of METHODS) {
  const heads = [m === 'HEAD'];
  methodCases.push({
    name: `${m} with a Content-Length body`,
    send: `${m} /m HTTP/1.1\r\n${H}content-length: ${SMUGGLED.length}\r\n\r\n${SMUGGLED}`,
    heads,
    statuses: [200],
    upstream: fwd(`${m} /m HTTP/1.1`, `${H}content-length: ${SMUGGLED.length}\r\n`, KA, SMUGGLED),
    check: oneRequestUpstream,
  });
  methodCases.push({
    name: `${m} with a chunked body`,
    send: `${m} /m HTTP/1.1\r\n${H}transfer-encoding: chunked\r\n\r\n${CHUNKED}`,
    heads,
    statuses: [200],
    upstream: fwd(`${m} /m HTTP/1.1`, H, TE + KA, CHUNKED),
    check: oneRequestUpstream,
  });
}
methodCases.push(
  {
    name: 'GET with a body, then a pipelined GET',
    send: `GET /m HTTP/1.1\r\n${H}content-length: 3\r\n\r\nabcGET /two HTTP/1.1\r\n${H}\r\n`,
    statuses: [200, 200],
    upstream: fwd('GET /m HTTP/1.1', `${H}content-length: 3\r\n`, KA, 'abc') + fwd('GET /two HTTP/1.1', H),
  },
  {
    name: 'DELETE with a chunked body, then a pipelined DELETE without one',
    send: `DELETE /m HTTP/1.1\r\n${H}transfer-encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\nDELETE /two HTTP/1.1\r\n${H}\r\n`,
    statuses: [200, 200],
    upstream: fwd('DELETE /m HTTP/1.1', H, TE + KA, '3\r\nabc\r\n0\r\n\r\n') + fwd('DELETE /two HTTP/1.1', H),
  },
  {
    name: 'three pipelined requests with bodies of both framings, answered in order',
    send:
      `POST /1 HTTP/1.1\r\n${H}content-length: 1\r\n\r\na` +
      `PUT /2 HTTP/1.1\r\n${H}transfer-encoding: chunked\r\n\r\n1\r\nb\r\n0\r\n\r\n` +
      `PATCH /3 HTTP/1.1\r\n${H}content-length: 1\r\n\r\nc`,
    statuses: [200, 200, 200],
    upstream:
      fwd('POST /1 HTTP/1.1', `${H}content-length: 1\r\n`, KA, 'a') +
      fwd('PUT /2 HTTP/1.1', H, TE + KA, '1\r\nb\r\n0\r\n\r\n') +
      fwd('PATCH /3 HTTP/1.1', `${H}content-length: 1\r\n`, KA, 'c'),
    check: (x) => expect(x.replies.map((r) => r.body)).toEqual(['#0 POST /1 a', '#1 PUT /2 b', '#2 PATCH /3 c']),
  },
  {
    name: 'a refused request ends the pipeline: what follows it is never read',
    send: `GET /ok HTTP/1.1\r\n${H}\r\nGET /bad HTTP/1.1\r\n${H}content-length: 1\r\ntransfer-encoding: chunked\r\n\r\n0\r\n\r\nGET /never HTTP/1.1\r\n${H}\r\n`,
    statuses: [200, 400],
    upstream: fwd('GET /ok HTTP/1.1', H),
  },
);
