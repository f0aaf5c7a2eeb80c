import { describe, expect, it } from 'vitest';
import { INCOMPLETE, MAX_HEAD_BYTES, readRequestHead } from './request-head.js';

const b = (s: string): Buffer => Buffer.from(s, 'latin1');

describe('readRequestHead', () => {
  it('reads a keep-alive GET, combining repeated fields as IncomingMessage does', () => {
    const head = 'GET /a?b=1 HTTP/1.1\r\nHost: Example.com\r\nX-A: 1\r\nx-a:  2 \r\nCookie: a=1\r\ncookie: b=2\r\nSet-Cookie: s=1\r\nset-cookie: s=2\r\nUser-Agent: one\r\nuser-agent: two\r\n\r\n';
    const r = readRequestHead(b(`${head}GET /next HTTP/1.1\r\n\r\n`), 0);
    expect(r).toEqual({
      method: 'GET',
      target: '/a?b=1',
      headers: { host: 'Example.com', 'x-a': '1, 2', cookie: 'a=1; b=2', 'set-cookie': ['s=1', 's=2'], 'user-agent': 'one' },
      length: head.length,
      keepAlive: true,
      http10: false,
      contentLength: 0,
      chunked: false,
      upgrade: false,
      expectContinue: false,
    });
  });

  it('reads from an offset, and a head without fields', () => {
    const buf = b('xxGET / HTTP/1.0\r\n\r\n');
    expect(readRequestHead(buf, 2)).toMatchObject({ method: 'GET', target: '/', headers: {}, length: buf.length - 2 });
  });

  it('notes Connection: close among other tokens', () => {
    expect(readRequestHead(b('GET / HTTP/1.1\r\nhost: a\r\nconnection: TE, Close\r\n\r\n'), 0)).toMatchObject({ keepAlive: false });
    expect(readRequestHead(b('GET / HTTP/1.1\r\nhost: a\r\nconnection: keep-alive\r\n\r\n'), 0)).toMatchObject({ keepAlive: true });
  });

  it('reads a Content-Length, 0 when there is none', () => {
    expect(readRequestHead(b('POST /x HTTP/1.1\r\nhost: a\r\ncontent-length: 0\r\n\r\n'), 0)).toMatchObject({ method: 'POST', headers: { 'content-length': '0' }, contentLength: 0 });
    expect(readRequestHead(b('PUT /x HTTP/1.1\r\nContent-Length: 12\r\nhost: a\r\n\r\nhello'), 0)).toMatchObject({ method: 'PUT', contentLength: 12, length: 48 });
    expect(readRequestHead(b('GET / HTTP/1.1\r\nhost: a\r\n\r\n'), 0)).toMatchObject({ contentLength: 0 });
  });

  it('waits for the end of the head', () => {
    expect(readRequestHead(b('GET / HTTP/1.1\r\nhost: a\r\n'), 0)).toBe(INCOMPLETE);
    expect(readRequestHead(b('GET / HTTP/1.1\r\nhost: a\r\n\r'), 0)).toBe(INCOMPLETE);
  });

  it('answers 431 for a head over 16 KiB, complete or not', () => {
    const big = 'x'.repeat(MAX_HEAD_BYTES);
    expect(readRequestHead(b(`GET / HTTP/1.1\r\nhost: a\r\nx-big: ${big}`), 0)).toMatchObject({ code: 'request-header-too-large', status: 431 });
    expect(readRequestHead(b(`GET / HTTP/1.1\r\nhost: a\r\nx-big: ${big}\r\n\r\n`), 0)).toMatchObject({ code: 'request-header-too-large', status: 431 });
  });

  it('reads a chunked body, an upgrade, Expect, HTTP/1.0, absolute form and any token method', () => {
    expect(readRequestHead(b('POST / HTTP/1.1\r\nhost: a\r\ntransfer-encoding: Chunked\r\n\r\n'), 0)).toMatchObject({ chunked: true, contentLength: 0, headers: { 'transfer-encoding': 'chunked' } });
    expect(readRequestHead(b('GET / HTTP/1.1\r\nhost: a\r\nconnection: Upgrade\r\nupgrade: websocket\r\n\r\n'), 0)).toMatchObject({ upgrade: true });
    expect(readRequestHead(b('GET / HTTP/1.1\r\nhost: a\r\nupgrade: websocket\r\n\r\n'), 0)).toMatchObject({ upgrade: false });
    expect(readRequestHead(b('PUT / HTTP/1.1\r\nhost: a\r\ncontent-length: 1\r\nexpect: 100-Continue\r\n\r\n'), 0)).toMatchObject({ expectContinue: true, contentLength: 1 });
    expect(readRequestHead(b('GET / HTTP/1.0\r\n\r\n'), 0)).toMatchObject({ http10: true, keepAlive: false });
    expect(readRequestHead(b('GET / HTTP/1.0\r\nconnection: keep-alive\r\n\r\n'), 0)).toMatchObject({ http10: true, keepAlive: true });
    expect(readRequestHead(b('GET http://Example.com:8080/p?q=1 HTTP/1.1\r\nhost: other\r\n\r\n'), 0)).toMatchObject({ target: '/p?q=1', headers: { host: 'Example.com:8080' } });
    expect(readRequestHead(b('GET http://example.com HTTP/1.1\r\nhost: example.com\r\n\r\n'), 0)).toMatchObject({ target: '/' });
    expect(readRequestHead(b('OPTIONS * HTTP/1.1\r\nhost: a\r\n\r\n'), 0)).toMatchObject({ target: '*' });
    expect(readRequestHead(b('BREW /pot HTTP/1.1\r\nhost: a\r\n\r\n'), 0)).toMatchObject({ method: 'BREW' });
  });

  it('accepts a list or repeat of one Content-Length (RFC 9110 8.6), normalized', () => {
    expect(readRequestHead(b('POST / HTTP/1.1\r\nhost: a\r\ncontent-length: 5, 5\r\ncontent-length: 005\r\n\r\n'), 0)).toMatchObject({ contentLength: 5, headers: { 'content-length': '5' } });
  });

  it('skips empty lines before the request line (RFC 9112 2.2)', () => {
    expect(readRequestHead(b('\r\n\r\nGET / HTTP/1.1\r\nhost: a\r\n\r\n'), 0)).toMatchObject({ method: 'GET', length: 4 + 27 });
  });

  it('reads a bare LF as a line end (RFC 9112 2.2), in any mix with CRLF', () => {
    for (const head of ['GET / HTTP/1.1\nhost: a\n\n', 'GET / HTTP/1.1\r\nhost: a\n\n', 'GET / HTTP/1.1\nhost: a\r\n\r\n', 'GET / HTTP/1.1\nhost: a\n\r\n']) {
      expect(readRequestHead(b(`${head}GET /next HTTP/1.1\n\n`), 0)).toMatchObject({ method: 'GET', target: '/', headers: { host: 'a' }, length: head.length });
    }
    expect(readRequestHead(b('\n\r\nGET / HTTP/1.1\nhost: a\n\n'), 0)).toMatchObject({ length: 3 + 24 });
    // The first blank line ends the head, whichever line ends come after it (here a CRLF CRLF, or a body's LF LF).
    expect(readRequestHead(b('GET / HTTP/1.1\nhost: a\n\n\r\n'), 0)).toMatchObject({ length: 24 });
    expect(readRequestHead(b('GET / HTTP/1.1\nhost: a\n\nx: 1\r\n\r\n'), 0)).toMatchObject({ length: 24, headers: { host: 'a' } });
    expect(readRequestHead(b('POST / HTTP/1.1\r\nhost: a\r\ncontent-length: 4\r\n\r\na\n\nb'), 0)).toMatchObject({ length: 47, contentLength: 4 });
  });

  it('waits for the end of an LF head, and for the LF after a CR that may end it', () => {
    expect(readRequestHead(b('GET / HTTP/1.1\nhost: a\n'), 0)).toBe(INCOMPLETE);
    expect(readRequestHead(b('GET / HTTP/1.1\nhost: a\n\r'), 0)).toBe(INCOMPLETE);
  });

  it('parts the request line at runs of spaces (RFC 9112 3)', () => {
    expect(readRequestHead(b('GET   /a  HTTP/1.1\r\nhost: a\r\n\r\n'), 0)).toMatchObject({ method: 'GET', target: '/a' });
  });

  it('forwards an Expect other than 100-continue, without sending 100', () => {
    expect(readRequestHead(b('PUT / HTTP/1.1\r\nhost: a\r\ncontent-length: 1\r\nexpect: tea\r\n\r\n'), 0)).toMatchObject({ expectContinue: false, headers: { expect: 'tea' } });
  });

  it.each([
    ['two Hosts', 'GET / HTTP/1.1\r\nhost: a\r\nhost: b\r\n\r\n', 400],
    ['no Host on HTTP/1.1', 'GET / HTTP/1.1\r\n\r\n', 400],
    ['an invalid Host', 'GET / HTTP/1.1\r\nhost: a b\r\n\r\n', 400],
    ['two different lengths', 'POST / HTTP/1.1\r\nhost: a\r\ncontent-length: 1\r\ncontent-length: 2\r\n\r\n', 400],
    ['a list of different lengths', 'POST / HTTP/1.1\r\nhost: a\r\ncontent-length: 1, 2\r\n\r\n', 400],
    ['a signed length', 'POST / HTTP/1.1\r\nhost: a\r\ncontent-length: +5\r\n\r\n', 400],
    ['a length of 16 digits', 'POST / HTTP/1.1\r\nhost: a\r\ncontent-length: 1234567890123456\r\n\r\n', 400],
    ['TE and CL', 'POST / HTTP/1.1\r\nhost: a\r\ntransfer-encoding: chunked\r\ncontent-length: 5\r\n\r\n', 400],
    ['TE on HTTP/1.0', 'POST / HTTP/1.0\r\ntransfer-encoding: chunked\r\n\r\n', 400],
    ['chunked not last', 'POST / HTTP/1.1\r\nhost: a\r\ntransfer-encoding: chunked, identity\r\n\r\n', 400],
    ['chunked twice', 'POST / HTTP/1.1\r\nhost: a\r\ntransfer-encoding: chunked\r\ntransfer-encoding: chunked\r\n\r\n', 400],
    ['xchunked', 'POST / HTTP/1.1\r\nhost: a\r\ntransfer-encoding: xchunked\r\n\r\n', 400],
    ['gzip, chunked', 'POST / HTTP/1.1\r\nhost: a\r\ntransfer-encoding: gzip, chunked\r\n\r\n', 501],
    ['HTTP/2 preface', 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 505],
    ['CONNECT', 'CONNECT a:443 HTTP/1.1\r\nhost: a:443\r\n\r\n', 501],
    ['an upgrade with a body', 'GET / HTTP/1.1\r\nhost: a\r\nconnection: upgrade\r\nupgrade: websocket\r\ncontent-length: 1\r\n\r\n', 400],
    ['absolute form with userinfo', 'GET http://u@a/ HTTP/1.1\r\nhost: a\r\n\r\n', 400],
    ['absolute form with an empty host', 'GET http:/// HTTP/1.1\r\nhost: a\r\n\r\n', 400],
    ['a lower-case version', 'GET / http/1.1\r\nhost: a\r\n\r\n', 400],
    ['space before the colon', 'GET / HTTP/1.1\r\nhost : a\r\n\r\n', 400],
    ['obsolete line folding', 'GET / HTTP/1.1\r\nhost: a\r\nx-a: 1\r\n 2\r\n\r\n', 400],
    ['a field without a colon', 'GET / HTTP/1.1\r\nhost: a\r\nnocolon\r\n\r\n', 400],
    ['an empty field name', 'GET / HTTP/1.1\r\nhost: a\r\n: v\r\n\r\n', 400],
    ['a bare CR ending a line', 'GET / HTTP/1.1\r\nhost: a\r\nx-a: 1\rx-b: 2\r\n\r\n', 400],
    ['a CR before CRLF', 'GET / HTTP/1.1\r\nhost: a\r\nx-a: 1\r\r\n\r\n', 400],
    ['a CR in the request line', 'GET / HTTP/1.1\r\r\nhost: a\r\n\r\n', 400],
    ['obsolete line folding with LF line ends', 'GET / HTTP/1.1\nhost: a\nx-a: 1\n 2\n\n', 400],
    ['a space after the version', 'GET / HTTP/1.1 \r\nhost: a\r\n\r\n', 400],
    ['a space before the method', ' GET / HTTP/1.1\r\nhost: a\r\n\r\n', 400],
    ['tabs parting the request line', 'GET\t/\tHTTP/1.1\r\nhost: a\r\n\r\n', 400],
    ['a bare CR', 'GET / HTTP/1.1\r\nhost: a\r\nx-a: 1\rx-b: 2\r\n\r\n', 400],
    ['a NUL in a value', 'GET / HTTP/1.1\r\nhost: a\r\nx-a: 1\x002\r\n\r\n', 400],
    ['a space in the target', 'GET /a b HTTP/1.1\r\nhost: a\r\n\r\n', 400],
    ['a non-ASCII target', 'GET /\xe9 HTTP/1.1\r\nhost: a\r\n\r\n', 400],
    ['a fragment in the target', 'GET /a#b HTTP/1.1\r\nhost: a\r\n\r\n', 400],
    ['garbage', '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n', 400],
  ])('refuses %s', (_what, head, status) => {
    expect(readRequestHead(b(head), 0)).toMatchObject({ status });
  });

  it('keeps obs-text (bytes 0x80-0xff) in values as latin1, as llhttp accepts them', () => {
    expect(readRequestHead(b('GET / HTTP/1.1\r\nhost: a\r\nx-name: caf\xe9\r\n\r\n'), 0)).toMatchObject({ headers: { 'x-name': 'caf\xe9' } });
  });
});
