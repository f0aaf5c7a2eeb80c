/**
 * Response framing, family 6: a service's answer whose head is not valid HTTP/1.1 is a 502 to
 * the client, never relayed, on both upstream paths (the raw one for requests without a body,
 * Node's client for those with one).
 */
import { expect } from 'vitest';
import { H, KA, fwd, type Answer, type FramingCase } from '../support.js';

export const BAD_HEADS: ReadonlyArray<readonly [string, string]> = [
  ['a space before the colon', 'HTTP/1.1 200 OK\r\nx-a : 1\r\ncontent-length: 2\r\n\r\nok'],
  ['a non-token character in a name', 'HTTP/1.1 200 OK\r\nx(a): 1\r\ncontent-length: 2\r\n\r\nok'],
  ['obs-fold', 'HTTP/1.1 200 OK\r\nx-a: 1\r\n 2\r\ncontent-length: 2\r\n\r\nok'],
  ['Transfer-Encoding with Content-Length', 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\ncontent-length: 2\r\n\r\n2\r\nok\r\n0\r\n\r\n'],
  ['a Transfer-Encoding other than chunked', 'HTTP/1.1 200 OK\r\ntransfer-encoding: gzip\r\n\r\nok'],
  ['two different Content-Length values', 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\ncontent-length: 3\r\n\r\nok'],
  ['a bare LF in the head', 'HTTP/1.1 200 OK\r\nx-a: 1\nset-cookie: evil=1\r\ncontent-length: 2\r\n\r\nok'],
];

const GET = `GET /r HTTP/1.1\r\n${H}\r\n`;
const POST = `POST /r HTTP/1.1\r\n${H}content-length: 2\r\n\r\nhi`;

export const responseCases: FramingCase[] = [];
for (const [what, head] of BAD_HEADS) {
  const answer: Answer = () => head;
  const noRelay: FramingCase['check'] = (x) => expect(x.replies[0]?.body).toContain('"error":"upstream-invalid-response"');
  responseCases.push({ name: `${what}: 502 (request without a body)`, send: GET, answer, statuses: [502], closes: false, upstream: fwd('GET /r HTTP/1.1', H), check: noRelay });
  responseCases.push({ name: `${what}: 502 (request with a body)`, send: POST, answer, statuses: [502], closes: false, upstream: fwd('POST /r HTTP/1.1', `${H}content-length: 2\r\n`, KA, 'hi'), check: noRelay });
}

/** Answers by request number. */
export const byTurn =
  (...answers: string[]): Answer =>
  (_req, n) =>
    answers[n] ?? answers[answers.length - 1] ?? '';
export const OK = 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok';

responseCases.push({
  name: 'a Content-Length list of one value is relayed as one field',
  send: GET,
  answer: () => 'HTTP/1.1 200 OK\r\ncontent-length: 2, 2\r\n\r\nok',
  statuses: [200],
  upstream: fwd('GET /r HTTP/1.1', H),
  check: (x) => expect([x.replies[0]?.headers['content-length'], x.replies[0]?.body]).toEqual(['2', 'ok']),
});

