import { describe, expect, it } from 'vitest';
import { INCOMPLETE, MAX_RAW_HEAD_BYTES, UNUSUAL, readRequestHead } from './request-head.js';

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
      contentLength: 0,
    });
  });

  it('reads from an offset, and a head without fields', () => {
    const buf = b('xxGET / HTTP/1.1\r\n\r\n');
    expect(readRequestHead(buf, 2)).toMatchObject({ method: 'GET', target: '/', headers: {}, length: buf.length - 2 });
  });

  it('notes Connection: close among other tokens', () => {
    expect(readRequestHead(b('GET / HTTP/1.1\r\nconnection: TE, Close\r\n\r\n'), 0)).toMatchObject({ keepAlive: false });
    expect(readRequestHead(b('GET / HTTP/1.1\r\nconnection: keep-alive\r\n\r\n'), 0)).toMatchObject({ keepAlive: true });
  });

  it('reads a Content-Length, 0 when there is none', () => {
    expect(readRequestHead(b('POST /x HTTP/1.1\r\ncontent-length: 0\r\n\r\n'), 0)).toMatchObject({ method: 'POST', headers: { 'content-length': '0' }, contentLength: 0 });
    expect(readRequestHead(b('PUT /x HTTP/1.1\r\nContent-Length: 12\r\n\r\nhello'), 0)).toMatchObject({ method: 'PUT', contentLength: 12, length: 39 });
    expect(readRequestHead(b('GET / HTTP/1.1\r\n\r\n'), 0)).toMatchObject({ contentLength: 0 });
  });

  it('waits for the end of the head', () => {
    expect(readRequestHead(b('GET / HTTP/1.1\r\nhost: a\r\n'), 0)).toBe(INCOMPLETE);
    expect(readRequestHead(b('GET / HTTP/1.1\r\nhost: a\r\n\r'), 0)).toBe(INCOMPLETE);
  });

  it('leaves long heads to node:http, complete or not', () => {
    const big = 'x'.repeat(MAX_RAW_HEAD_BYTES);
    expect(readRequestHead(b(`GET / HTTP/1.1\r\nx-big: ${big}`), 0)).toBe(UNUSUAL);
    expect(readRequestHead(b(`GET / HTTP/1.1\r\nx-big: ${big}\r\n\r\n`), 0)).toBe(UNUSUAL);
  });

  it.each([
    ['a chunked body', 'POST / HTTP/1.1\r\ntransfer-encoding: chunked\r\n\r\n'],
    ['Expect', 'PUT / HTTP/1.1\r\ncontent-length: 0\r\nexpect: 100-continue\r\n\r\n'],
    ['an upgrade', 'GET / HTTP/1.1\r\nconnection: upgrade\r\nupgrade: websocket\r\n\r\n'],
    ['HTTP/1.0', 'GET / HTTP/1.0\r\n\r\n'],
    ['HTTP/2 preface', 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'],
    ['absolute form', 'GET http://a/ HTTP/1.1\r\n\r\n'],
    ['CONNECT', 'CONNECT a:443 HTTP/1.1\r\n\r\n'],
    ['an unknown method', 'BREW / HTTP/1.1\r\n\r\n'],
    ['a lower-case method', 'get / HTTP/1.1\r\n\r\n'],
    ['two Hosts', 'GET / HTTP/1.1\r\nhost: a\r\nhost: b\r\n\r\n'],
    ['two lengths', 'POST / HTTP/1.1\r\ncontent-length: 0\r\ncontent-length: 0\r\n\r\n'],
    ['a length with a leading zero', 'POST / HTTP/1.1\r\ncontent-length: 05\r\n\r\n'],
    ['a signed length', 'POST / HTTP/1.1\r\ncontent-length: +5\r\n\r\n'],
    ['a length of 16 digits', 'POST / HTTP/1.1\r\ncontent-length: 1234567890123456\r\n\r\n'],
    ['space before the colon', 'GET / HTTP/1.1\r\nhost : a\r\n\r\n'],
    ['obsolete line folding', 'GET / HTTP/1.1\r\nx-a: 1\r\n 2\r\n\r\n'],
    ['a field without a colon', 'GET / HTTP/1.1\r\nnocolon\r\n\r\n'],
    ['an empty field name', 'GET / HTTP/1.1\r\n: v\r\n\r\n'],
    ['a bare LF', 'GET / HTTP/1.1\r\nx-a: 1\nx-b: 2\r\n\r\n'],
    ['a bare CR', 'GET / HTTP/1.1\r\nx-a: 1\rx-b: 2\r\n\r\n'],
    ['a NUL in a value', 'GET / HTTP/1.1\r\nx-a: 1\x002\r\n\r\n'],
    ['a space in the target', 'GET /a b HTTP/1.1\r\n\r\n'],
    ['a non-ASCII target', 'GET /\xe9 HTTP/1.1\r\n\r\n'],
    ['two spaces after the method', 'GET  / HTTP/1.1\r\n\r\n'],
    ['garbage', '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n'],
  ])('hands over %s', (_what, head) => {
    expect(readRequestHead(b(head), 0)).toBe(UNUSUAL);
  });

  it('keeps obs-text (bytes 0x80-0xff) in values as latin1, as llhttp accepts them', () => {
    expect(readRequestHead(b('GET / HTTP/1.1\r\nx-name: caf\xe9\r\n\r\n'), 0)).toMatchObject({ headers: { 'x-name': 'caf\xe9' } });
  });
});
