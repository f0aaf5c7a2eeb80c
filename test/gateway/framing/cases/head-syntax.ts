/**
 * Request framing, family 3: the grammar of the head. Line endings, field names and values,
 * Host (RFC 9112 3.2), the request line, absolute-form targets, HTTP/1.0, Expect and head size.
 * Everything refused closes the connection; nothing refused reaches the upstream.
 */
import { expect } from 'vitest';
import { H, KA, fwd, type Answer, type FramingCase } from '../support.js';

const get = (fields: string, line = 'GET / HTTP/1.1'): string => `${line}\r\n${fields}\r\n`;
const refused = (name: string, send: string, status = 400): FramingCase => ({ name, send, statuses: [status], upstream: '' });

/** A whole request with LF line ends, sent as a body. */
const LF_REQUEST = 'GET /s HTTP/1.1\nhost: h\n\n';

/** An upstream answer of unknown length (chunked), which an HTTP/1.0 client gets close-delimited. */
const chunkedAnswer: Answer = () => 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n';

export const headSyntaxCases: FramingCase[] = [
  refused('obs-fold (a field continued on the next line)', get(`${H}x-a: 1\r\n 2\r\n`)),
  refused('obs-fold with a tab', get(`${H}x-a: 1\r\n\t2\r\n`)),
  refused('a space before the colon', get('host : h\r\nx-request-id: t\r\n')),
  refused('a tab before the colon', get('host\t: h\r\nx-request-id: t\r\n')),
  refused('a field name with a non-token character', get(`${H}x(a): 1\r\n`)),
  refused('a field line without a colon', get(`${H}nocolon\r\n`)),
  refused('an empty field name', get(`${H}: v\r\n`)),
  // RFC 9112 2.2: a bare LF may be read as a line end; nginx and HAProxy do, and so does the gateway.
  { name: 'bare LF line endings throughout', send: 'GET / HTTP/1.1\nhost: h\nx-request-id: t\n\n', statuses: [200], upstream: fwd('GET / HTTP/1.1', H) },
  { name: 'a bare LF ending one field line', send: get(`host: h\nx-request-id: t\r\n`), statuses: [200], upstream: fwd('GET / HTTP/1.1', H) },
  { name: 'a bare LF ending the request line', send: `GET / HTTP/1.1\n${H}\r\n`, statuses: [200], upstream: fwd('GET / HTTP/1.1', H) },
  { name: 'CRLF lines ended by a bare LF', send: `GET / HTTP/1.1\r\n${H}\n`, statuses: [200], upstream: fwd('GET / HTTP/1.1', H) },
  { name: 'LF lines ended by CRLF', send: 'GET / HTTP/1.1\nhost: h\nx-request-id: t\n\r\n', statuses: [200], upstream: fwd('GET / HTTP/1.1', H) },
  { name: 'empty LF lines before the request line are ignored', send: `\n\n${get(H)}`, statuses: [200], upstream: fwd('GET / HTTP/1.1', H) },
  {
    name: 'LF-only requests pipelined, the first with a Content-Length body',
    send: 'POST /1 HTTP/1.1\nhost: h\nx-request-id: t\ncontent-length: 5\n\nhelloGET /2 HTTP/1.1\nhost: h\nx-request-id: t\n\n',
    statuses: [200, 200],
    upstream: fwd('POST /1 HTTP/1.1', `${H}content-length: 5\r\n`, KA, 'hello') + fwd('GET /2 HTTP/1.1', H),
  },
  {
    name: 'an LF-only request inside a Content-Length body stays body',
    send: `POST /1 HTTP/1.1\nhost: h\nx-request-id: t\ncontent-length: ${LF_REQUEST.length}\n\n${LF_REQUEST}`,
    statuses: [200],
    upstream: fwd('POST /1 HTTP/1.1', `${H}content-length: ${LF_REQUEST.length}\r\n`, KA, LF_REQUEST),
  },
  {
    // Upgrades are handed to node:http (llhttp wants CRLF): the head is passed on with CRLFs.
    name: 'an upgrade request with LF line ends is handed over and relayed',
    send: 'GET /ws HTTP/1.1\nhost: h\nx-request-id: t\nconnection: upgrade\nupgrade: x\n\n',
    statuses: [200],
    closes: true,
    upstream: fwd('GET /ws HTTP/1.1', `${H}connection: upgrade\r\nupgrade: x\r\n`),
  },
  refused('obs-fold with LF line ends', 'GET / HTTP/1.1\nhost: h\nx-a: 1\n 2\n\n'),
  refused('a CR inside the request line', `GET / HTTP/1.1\r\r\n${H}\r\n`),
  refused('a bare CR inside a value', get(`${H}x-a: 1\rx-b: 2\r\n`)),
  refused('a bare CR before CRLF', get(`${H}x-a: 1\r\r\n`)),
  refused('a NUL in a value', get(`${H}x-a: 1\x002\r\n`)),
  refused('no Host on HTTP/1.1', get('x-request-id: t\r\n')),
  refused('two Host fields', get(`${H}host: evil\r\n`)),
  refused('two Host fields of one value', get(`${H}host: h\r\n`)),
  refused('a Host with a space', get('host: h h\r\nx-request-id: t\r\n')),
  refused('a Host with a path', get('host: h/evil\r\nx-request-id: t\r\n')),
  refused('a Host with userinfo', get('host: user@h\r\nx-request-id: t\r\n')),
  { name: 'a Host with a port', send: get('host: h:8080\r\nx-request-id: t\r\n'), statuses: [200], upstream: fwd('GET / HTTP/1.1', 'host: h:8080\r\nx-request-id: t\r\n', '', '', 'h:8080') },
  {
    name: 'absolute-form: the target authority replaces Host, and the origin form is forwarded',
    send: get('host: other\r\nx-request-id: t\r\n', 'GET http://abs.example/p?q=1 HTTP/1.1'),
    statuses: [200],
    upstream: fwd('GET /p?q=1 HTTP/1.1', 'host: abs.example\r\nx-request-id: t\r\n', '', '', 'abs.example'),
  },
  {
    name: 'absolute-form with an empty path becomes /',
    send: get('host: abs.example\r\nx-request-id: t\r\n', 'GET http://abs.example HTTP/1.1'),
    statuses: [200],
    upstream: fwd('GET / HTTP/1.1', 'host: abs.example\r\nx-request-id: t\r\n', '', '', 'abs.example'),
  },
  refused('absolute-form without Host on HTTP/1.1', get('x-request-id: t\r\n', 'GET http://abs.example/ HTTP/1.1')),
  refused('absolute-form with userinfo', get(H, 'GET http://u:p@abs.example/ HTTP/1.1')),
  refused('absolute-form of another scheme', get(H, 'GET ftp://abs.example/ HTTP/1.1')),
  refused('a fragment in the target', get(H, 'GET /a#b HTTP/1.1')),
  refused('a non-ASCII byte in the target', get(H, 'GET /caf\xe9 HTTP/1.1')),
  // RFC 9112 3: a recipient may part the request line at runs of spaces; nginx and HAProxy do.
  { name: 'two spaces in the request line', send: get(H, 'GET  / HTTP/1.1'), statuses: [200], upstream: fwd('GET / HTTP/1.1', H) },
  { name: 'runs of spaces in the request line', send: get(H, 'GET   /a   HTTP/1.1'), statuses: [200], upstream: fwd('GET /a HTTP/1.1', H) },
  refused('a space after the version', get(H, 'GET / HTTP/1.1 ')),
  refused('a space before the method', get(H, ' GET / HTTP/1.1')),
  refused('tabs parting the request line', get(H, 'GET\t/\tHTTP/1.1')),
  refused('a lower-case version', get(H, 'GET / http/1.1')),
  refused('HTTP/2.0 in the request line (505)', get(H, 'GET / HTTP/2.0'), 505),
  refused('CONNECT (501)', get('host: h:443\r\nx-request-id: t\r\n', 'CONNECT h:443 HTTP/1.1'), 501),
  // RFC 9110 10.1.1 lets the server answer 417; a proxy forwards the expectation, as nginx and HAProxy do.
  { name: 'an Expect other than 100-continue is forwarded', send: get(`${H}expect: coffee\r\n`), statuses: [200], upstream: fwd('GET / HTTP/1.1', `${H}expect: coffee\r\n`, KA) },
  refused('a head over 16 KiB (431)', get(`${H}x-big: ${'a'.repeat(17 * 1024)}\r\n`), 431),
  {
    name: 'empty lines before the request line are ignored (RFC 9112 2.2)',
    send: `\r\n\r\n${get(H)}`,
    statuses: [200],
    upstream: fwd('GET / HTTP/1.1', H),
  },
  { name: 'an unknown method that is a token is forwarded', send: get(H, 'PURGE /c HTTP/1.1'), statuses: [200], upstream: fwd('PURGE /c HTTP/1.1', H, 'content-length: 0\r\n') },
  // Read as a request; the route's `uri.prefix: /` does not match `*`, so it is a 404 that leaves the connection open.
  { name: 'OPTIONS * is read and routed (404 here: no route matches *)', send: get(H, 'OPTIONS * HTTP/1.1'), statuses: [404], closes: false, upstream: '' },
  {
    name: 'HTTP/1.0 without Host or keep-alive: forwarded as HTTP/1.1 with the endpoint as Host, then closed',
    send: 'GET /old HTTP/1.0\r\nx-request-id: t\r\n\r\n',
    statuses: [200],
    closes: true,
    upstream: (key) => `GET /old HTTP/1.1\r\nx-request-id: t\r\nx-forwarded-for: 127.0.0.1\r\nx-forwarded-proto: http\r\nhost: ${key}\r\n\r\n`,
  },
  {
    name: 'HTTP/1.0 with keep-alive stays open and says so',
    send: `GET /old HTTP/1.0\r\n${H}connection: keep-alive\r\n\r\nGET /again HTTP/1.0\r\n${H}connection: keep-alive\r\n\r\n`,
    statuses: [200, 200],
    upstream: fwd('GET /old HTTP/1.1', H) + fwd('GET /again HTTP/1.1', H),
    check: (x) => expect(x.replies.map((r) => r.headers.connection)).toEqual(['keep-alive', 'keep-alive']),
  },
  {
    name: 'HTTP/1.0 gets an answer of unknown length close-delimited, never chunked',
    send: `GET /old HTTP/1.0\r\n${H}connection: keep-alive\r\n\r\n`,
    answer: chunkedAnswer,
    statuses: [200],
    closes: true,
    upstream: fwd('GET /old HTTP/1.1', H),
    check: (x) => expect([x.replies[0]?.headers['transfer-encoding'], x.replies[0]?.body]).toEqual([undefined, 'ok']),
  },
  {
    name: 'HTTP/1.0 with a Content-Length body',
    send: `POST /old HTTP/1.0\r\n${H}content-length: 2\r\n\r\nhi`,
    statuses: [200],
    closes: true,
    upstream: fwd('POST /old HTTP/1.1', `${H}content-length: 2\r\n`, KA, 'hi'),
  },
  {
    name: 'Expect: 100-continue gets 100 Continue before the body is sent',
    send: [`PUT /e HTTP/1.1\r\n${H}content-length: 5\r\nexpect: 100-continue\r\n\r\n`, 'hello'],
    statuses: [200],
    upstream: fwd('PUT /e HTTP/1.1', `${H}content-length: 5\r\nexpect: 100-continue\r\n`, KA, 'hello'),
  },
];
