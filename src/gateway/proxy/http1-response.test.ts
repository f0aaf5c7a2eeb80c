import { describe, expect, it } from 'vitest';
import { ResponseReader, type ResponseHead } from './http1-response.js';

function collect(isHead = false): { reader: ResponseReader; heads: ResponseHead[]; body: () => string; ended: () => number } {
  const heads: ResponseHead[] = [];
  const parts: Buffer[] = [];
  let ends = 0;
  const reader = new ResponseReader(
    {
      head: (h) => heads.push(h),
      data: (c) => parts.push(Buffer.from(c)),
      end: () => ends++,
    },
    isHead,
  );
  return { reader, heads, body: () => Buffer.concat(parts).toString(), ended: () => ends };
}

/** Feeds `text` one byte at a time, so every state is entered across a read boundary. */
function feedBytewise(reader: ResponseReader, text: string): Buffer | undefined {
  let rest: Buffer | undefined;
  const b = Buffer.from(text);
  for (let i = 0; i < b.length; i++) rest = reader.push(b.subarray(i, i + 1)) ?? rest;
  return rest;
}

describe('ResponseReader', () => {
  it('reads a Content-Length response and reports nothing left over', () => {
    const c = collect();
    const rest = c.reader.push(Buffer.from('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\nX-A: 1\r\nX-A: 2\r\n\r\nhello'));
    expect(rest?.length).toBe(0);
    const h = c.heads[0];
    expect([h?.status, h?.keepAlive, h?.hasDate, h?.hasLength]).toEqual([200, true, false, true]);
    expect(h?.headers).toEqual({ 'content-type': 'text/plain', 'content-length': '5', 'set-cookie': ['a=1', 'b=2'], 'x-a': '1, 2' });
    expect(h?.relay).toBe('Content-Type: text/plain\r\nContent-Length: 5\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\nX-A: 1\r\nX-A: 2\r\n');
    expect(c.body()).toBe('hello');
    expect(c.ended()).toBe(1);
  });

  it('decodes a chunked body split at every byte, dropping extensions and trailers', () => {
    const c = collect();
    const rest = feedBytewise(c.reader, 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n1\r\n \r\n5\r\nworld\r\n0\r\nX-Trailer: t\r\n\r\n');
    expect(rest?.length).toBe(0);
    expect(c.body()).toBe('hello world');
    expect(c.ended()).toBe(1);
    expect(c.heads[0]?.keepAlive).toBe(true);
  });

  it('returns the bytes after the response, which make the connection unusable', () => {
    const c = collect();
    const rest = c.reader.push(Buffer.from('HTTP/1.1 204 No Content\r\n\r\nextra'));
    expect(rest?.toString()).toBe('extra');
  });

  it('skips interim 1xx answers and expects no body for HEAD, 204 and 304', () => {
    const c = collect(true);
    const rest = c.reader.push(Buffer.from('HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n'));
    expect(rest?.length).toBe(0);
    expect(c.heads.map((h) => h.status)).toEqual([200]);
    const n = collect();
    expect(n.reader.push(Buffer.from('HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n'))?.length).toBe(0);
  });

  it('reads a body without framing until the connection closes, and never reuses that connection', () => {
    const c = collect();
    expect(c.reader.push(Buffer.from('HTTP/1.1 200 OK\r\n\r\npart1'))).toBeUndefined();
    expect(c.reader.push(Buffer.from('part2'))).toBeUndefined();
    expect(c.heads[0]?.keepAlive).toBe(false);
    c.reader.close();
    expect(c.body()).toBe('part1part2');
    expect(c.ended()).toBe(1);
  });

  it('honours Connection: close and HTTP/1.0 without keep-alive', () => {
    const a = collect();
    a.reader.push(Buffer.from('HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n'));
    expect(a.heads[0]?.keepAlive).toBe(false);
    const b = collect();
    b.reader.push(Buffer.from('HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n'));
    expect(b.heads[0]?.keepAlive).toBe(false);
    const k = collect();
    k.reader.push(Buffer.from('HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n'));
    expect(k.heads[0]?.keepAlive).toBe(true);
  });

  it('reads a repeated or listed Content-Length of one value, relaying it once', () => {
    const c = collect();
    c.reader.push(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\nContent-Length: 2\r\n\r\nok'));
    expect(c.body()).toBe('ok');
    expect(c.heads[0]?.relay).toBeUndefined();
    expect(c.heads[0]?.headers['content-length']).toBe('2');
  });

  it('relays field lines without the hop-by-hop ones, and leaves the rest to the header object when Connection names more', () => {
    const c = collect();
    c.reader.push(Buffer.from('HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\nX-A: 1\r\nTrailer: x\r\nContent-Length: 0\r\n\r\n'));
    expect(c.heads[0]?.relay).toBe('X-A: 1\r\nContent-Length: 0\r\n');
    const named = collect();
    named.reader.push(Buffer.from('HTTP/1.1 200 OK\r\nConnection: x-private\r\nX-Private: 1\r\nContent-Length: 0\r\n\r\n'));
    expect(named.heads[0]?.relay).toBeUndefined();
  });

  it('refuses malformed responses and a response cut short', () => {
    expect(() => collect().reader.push(Buffer.from('HTTP/2 200\r\n\r\n'))).toThrow(/bad status line/);
    expect(() => collect().reader.push(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n'))).toThrow(/bad content-length/);
    expect(() => collect().reader.push(Buffer.from('HTTP/1.1 200 OK\r\nA: 1\r\n folded\r\n\r\n'))).toThrow(/bad header line/);
    expect(() => collect().reader.push(Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n'))).toThrow(/bad chunk size/);
    expect(() => collect().reader.push(Buffer.from('HTTP/1.1 101 Switching Protocols\r\n\r\n'))).toThrow(/101/);
    // A bare LF or CR in a value would end the field early in the head relayed to the client.
    expect(() => collect().reader.push(Buffer.from('HTTP/1.1 200 OK\r\nX-A: 1\nSet-Cookie: evil=1\r\n\r\n'))).toThrow(/bare CR, LF or NUL/);
    expect(() => collect().reader.push(Buffer.from('HTTP/1.1 200 OK\r\nX-A: 1\rX-B: 2\r\n\r\n'))).toThrow(/bare CR, LF or NUL/);
    expect(() => collect().reader.push(Buffer.from('HTTP/1.1 200 OK\r\nX-A: 1\u00002\r\n\r\n'))).toThrow(/bare CR, LF or NUL/);
    // Framing a proxy must not guess at, and names that are not tokens (RFC 9112 5.1, 6.3).
    expect(() => collect().reader.push(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n'))).toThrow(/both transfer-encoding and content-length/);
    expect(() => collect().reader.push(Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n'))).toThrow(/only chunked/);
    expect(() => collect().reader.push(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n'))).toThrow(/conflicting content-length/);
    expect(() => collect().reader.push(Buffer.from('HTTP/1.1 200 OK\r\nX-A : 1\r\n\r\n'))).toThrow(/bad header line/);
    expect(() => collect().reader.push(Buffer.from('HTTP/1.1 200 OK\r\nX(A): 1\r\n\r\n'))).toThrow(/bad header line/);
    const cut = collect();
    cut.reader.push(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc'));
    expect(() => cut.reader.close()).toThrow(/before the response was complete/);
  });
});
