/**
 * A property of the gateway's request framing, with fast-check: for random sequences of
 * well-formed and malformed requests pipelined on one connection and written in random
 * pieces, the upstream never sees more requests than the client sent, every request it sees
 * is one the gateway accepted (the well-formed ones before the first malformed one, in order,
 * with their bodies), and no byte of anything after a refused request reaches it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { H, exchange, startFramingGateway, startRecorder } from './support.js';

interface Req {
  /** Bytes on the wire for request `i`. */
  readonly bytes: (i: number) => string;
  readonly method: string;
  /** The body the upstream must get when accepted; undefined for a malformed request. */
  readonly body: string | undefined;
  /** Malformed in its body (its head was accepted, so a part of it may have been sent on before the error). */
  readonly badBody?: boolean;
}

const text = fc.string({ unit: fc.constantFrom(...'abcxyz0123 GET/\r\n:'.split('')), minLength: 0, maxLength: 24 });

/** A body's chunked encoding, cut into chunks at `cuts`, its lines ended by `eol`. */
function chunked(body: string, cuts: number[], eol = '\r\n'): string {
  const at = [...new Set(cuts.map((c) => c % (body.length + 1)))].sort((a, b) => a - b);
  let out = '';
  let from = 0;
  for (const c of [...at, body.length]) {
    if (c <= from) continue;
    out += `${(c - from).toString(16)}${eol}${body.slice(from, c)}${eol}`;
    from = c;
  }
  return `${out}0${eol}${eol}`;
}

const good: fc.Arbitrary<Req> = fc.oneof(
  fc.constant<Req>({ method: 'GET', body: '', bytes: (i) => `GET /r${i} HTTP/1.1\r\n${H}\r\n` }),
  // Bare LF line ends (RFC 9112 2.2), in the head and in the chunks.
  text.map<Req>((body) => ({ method: 'POST', body, bytes: (i) => `POST /r${i} HTTP/1.1\nhost: h\ncontent-length: ${body.length}\n\n${body}` })),
  fc
    .tuple(text, fc.array(fc.nat(), { maxLength: 3 }))
    .map<Req>(([body, cuts]) => ({ method: 'PATCH', body, bytes: (i) => `PATCH /r${i} HTTP/1.1\nhost: h\ntransfer-encoding: chunked\n\n${chunked(body, cuts, '\n')}` })),
  fc.constantFrom('POST', 'GET', 'DELETE').chain((method) => text.map<Req>((body) => ({ method, body, bytes: (i) => `${method} /r${i} HTTP/1.1\r\n${H}content-length: ${body.length}\r\n\r\n${body}` }))),
  fc
    .tuple(fc.constantFrom('PUT', 'OPTIONS', 'PATCH'), text, fc.array(fc.nat(), { maxLength: 3 }))
    .map<Req>(([method, body, cuts]) => ({ method, body, bytes: (i) => `${method} /r${i} HTTP/1.1\r\n${H}transfer-encoding: chunked\r\n\r\n${chunked(body, cuts)}` })),
);

const bad: fc.Arbitrary<Req> = fc.constantFrom<Req>(
  { method: 'POST', body: undefined, bytes: (i) => `POST /r${i} HTTP/1.1\r\n${H}content-length: 4\r\ntransfer-encoding: chunked\r\n\r\n0\r\n\r\n` },
  { method: 'POST', body: undefined, bytes: (i) => `POST /r${i} HTTP/1.1\r\n${H}transfer-encoding: xchunked\r\n\r\n0\r\n\r\n` },
  { method: 'POST', body: undefined, bytes: (i) => `POST /r${i} HTTP/1.1\r\n${H}content-length: 1\r\ncontent-length: 2\r\n\r\nab` },
  { method: 'GET', body: undefined, bytes: (i) => `GET /r${i} HTTP/1.1\r\n${H}host: other\r\n\r\n` },
  { method: 'GET', body: undefined, bytes: (i) => `GET /r${i} HTTP/1.1\r\n${H}x-a: 1\r\n folded\r\n\r\n` },
  { method: 'GET', body: undefined, bytes: (i) => `GET /r${i} HTTP/1.1\r\n${H}x-a: 1\rx-b: 2\r\n\r\n` },
  { method: 'POST', body: undefined, badBody: true, bytes: (i) => `POST /r${i} HTTP/1.1\n${H}transfer-encoding: chunked\n\n3\nabc\r0\n\n` },
  { method: 'GET', body: undefined, bytes: (i) => `GET /r${i} HTTP/1.1\r\nhost : h\r\n\r\n` },
  { method: 'POST', body: undefined, badBody: true, bytes: (i) => `POST /r${i} HTTP/1.1\r\n${H}transfer-encoding: chunked\r\n\r\n0x3\r\nabc\r\n0\r\n\r\n` },
  { method: 'POST', body: undefined, badBody: true, bytes: (i) => `POST /r${i} HTTP/1.1\r\n${H}transfer-encoding: chunked\r\n\r\n3\r\nabcGET /smuggled HTTP/1.1\r\n${H}\r\n` },
);

/** `bytes` cut at the given points. */
function pieces(bytes: string, cuts: number[]): string[] {
  const at = [...new Set(cuts.map((c) => 1 + (c % Math.max(1, bytes.length - 1))))].sort((a, b) => a - b);
  const out: string[] = [];
  let from = 0;
  for (const c of [...at, bytes.length]) {
    if (c <= from) continue;
    out.push(bytes.slice(from, c));
    from = c;
  }
  return out;
}

describe('request framing property', () => {
  it('the upstream sees exactly the requests the gateway accepted, and nothing after a refused one', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof({ arbitrary: good, weight: 3 }, { arbitrary: bad, weight: 1 }), { minLength: 1, maxLength: 6 }), fc.array(fc.nat(), { maxLength: 4 }), async (reqs, cuts) => {
        const firstBad = reqs.findIndex((r) => r.body === undefined);
        const accepted = firstBad < 0 ? reqs : reqs.slice(0, firstBad);
        const wire = reqs.map((r, i) => r.bytes(i)).join('');
        const recorder = await startRecorder();
        const gw = await startFramingGateway(recorder);
        let x;
        try {
          x = await exchange(gw.port, pieces(wire, cuts), accepted.length + (firstBad < 0 ? 0 : 1), firstBad >= 0);
        } finally {
          await gw.close();
          await recorder.close();
        }
        expect(x.replies.map((r) => r.status)).toEqual([...accepted.map(() => 200), ...(firstBad < 0 ? [] : [400])]);
        expect(recorder.requests.length).toBeLessThanOrEqual(reqs.length);
        expect(recorder.requests.map((r) => [r.method, r.target, r.body])).toEqual(accepted.map((r, i) => [r.method, `/r${i}`, r.body]));
        // Bytes that made no whole request: only the start of a request whose body was refused mid-way.
        const rest = recorder.bytes().slice(recorder.requests.map((r) => r.raw).join('').length);
        if (rest !== '') {
          const refused = reqs[firstBad];
          expect(refused?.badBody).toBe(true);
          expect(rest.startsWith(`${refused?.method} /r${firstBad} HTTP/1.1\r\n`)).toBe(true);
        }
      }),
      { numRuns: 60 },
    );
  });
});
