/**
 * Request framing, family 4: the chunked coding (RFC 9112 7.1). The gateway decodes the body
 * and frames it anew for the upstream (Node's client writes each piece as one chunk), so chunk
 * extensions and trailers are dropped; any departure from the grammar is 400 and a closed
 * connection, with nothing complete sent upstream.
 */
import { H, KA, TE, fwd, type FramingCase } from '../support.js';

const HEAD = `POST /c HTTP/1.1\r\n${H}transfer-encoding: chunked\r\n\r\n`;
const sent = (body: string): string => fwd('POST /c HTTP/1.1', H, TE + KA, body);
const accepted = (name: string, body: string, upstreamBody: string): FramingCase => ({ name, send: HEAD + body, statuses: [200], upstream: sent(upstreamBody) });
const refused = (name: string, body: string): FramingCase => ({ name, send: HEAD + body, statuses: [400], upstream: '' });

export const chunkedCases: FramingCase[] = [
  accepted('two chunks', '5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n', '5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n'),
  accepted('an empty body (last chunk only)', '0\r\n\r\n', '0\r\n\r\n'),
  accepted('chunk extensions are tolerated and dropped', '5;name=value\r\nhello\r\n0;last\r\n\r\n', '5\r\nhello\r\n0\r\n\r\n'),
  accepted('a quoted extension value with white space before the ;', '5 ;a="b c"\r\nhello\r\n0\r\n\r\n', '5\r\nhello\r\n0\r\n\r\n'),
  accepted('trailer fields are read and dropped', '5\r\nhello\r\n0\r\nx-trailer: 1\r\nx-other: 2\r\n\r\n', '5\r\nhello\r\n0\r\n\r\n'),
  accepted('upper-case hex digits', 'A\r\n0123456789\r\n0\r\n\r\n', 'a\r\n0123456789\r\n0\r\n\r\n'),
  accepted('leading zeros in the size', '005\r\nhello\r\n000\r\n\r\n', '5\r\nhello\r\n0\r\n\r\n'),
  {
    name: 'a size line split across writes',
    send: [`${HEAD}5`, '\r\nhello\r\n0\r\n\r\n'],
    statuses: [200],
    upstream: sent('5\r\nhello\r\n0\r\n\r\n'),
  },
  refused('a size of 17 hex digits (overflow)', '10000000000000000\r\nx\r\n0\r\n\r\n'),
  refused('a size past 2^53', 'fffffffffffffff\r\nx\r\n0\r\n\r\n'),
  accepted('leading zeros past 16 digits', '000000000000000000005\r\nhello\r\n0\r\n\r\n', '5\r\nhello\r\n0\r\n\r\n'),
  refused('17 significant digits after leading zeros', '000010000000000000000\r\nx\r\n0\r\n\r\n'),
  refused('a negative size', '-5\r\nhello\r\n0\r\n\r\n'),
  refused('a 0x prefix', '0x5\r\nhello\r\n0\r\n\r\n'),
  refused('white space before the size', ' 5\r\nhello\r\n0\r\n\r\n'),
  // Read past as nginx and HAProxy do; the upstream gets the chunks framed anew either way.
  accepted('white space after the size without an extension', '5 \r\nhello\r\n0\r\n\r\n', '5\r\nhello\r\n0\r\n\r\n'),
  accepted('a tab after the size', '5\t\r\nhello\r\n0\r\n\r\n', '5\r\nhello\r\n0\r\n\r\n'),
  refused('an empty size line', '\r\nhello\r\n0\r\n\r\n'),
  // RFC 9112 2.2: a bare LF ends a line, as in the head (nginx and HAProxy read it so).
  accepted('a bare LF after the size', '5\nhello\r\n0\r\n\r\n', '5\r\nhello\r\n0\r\n\r\n'),
  accepted('a bare LF after the data', '5\r\nhello\n0\r\n\r\n', '5\r\nhello\r\n0\r\n\r\n'),
  accepted('a bare LF ending the trailer section', '5\r\nhello\r\n0\r\nx-t: 1\n\r\n', '5\r\nhello\r\n0\r\n\r\n'),
  accepted('LF line ends throughout the chunks and trailers', '5\nhello\n6;e\n world\n0\nx-t: 1\n\n', '5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n'),
  {
    name: 'LF line ends in the head and the chunks',
    send: 'POST /c HTTP/1.1\nhost: h\nx-request-id: t\ntransfer-encoding: chunked\n\n5\nhello\n0\n\n',
    statuses: [200],
    upstream: sent('5\r\nhello\r\n0\r\n\r\n'),
  },
  refused('a bare CR after the size', '5\rhello\r\n0\r\n\r\n'),
  refused('a bare CR after the data', '5\r\nhello\r0\r\n\r\n'),
  refused('more data than the size says', '5\r\nhelloX\r\n0\r\n\r\n'),
  refused('a trailer line without a colon', '5\r\nhello\r\n0\r\nnot-a-field\r\n\r\n'),
  // Extensions are dropped; only a CR in one is refused (nginx and HAProxy refuse it too).
  accepted('a control character in an extension', '5;a=\x01\r\nhello\r\n0\r\n\r\n', '5\r\nhello\r\n0\r\n\r\n'),
  accepted('a NUL in an extension', '5;a=\x00\r\nhello\r\n0\r\n\r\n', '5\r\nhello\r\n0\r\n\r\n'),
  refused('a CR in an extension', '5;a\rb\r\nhello\r\n0\r\n\r\n'),
  accepted('a size line of 12 KiB', `5;${'a'.repeat(12 * 1024)}\r\nhello\r\n0\r\n\r\n`, '5\r\nhello\r\n0\r\n\r\n'),
  refused('a size line over 16 KiB', `5;${'a'.repeat(20 * 1024)}\r\nhello\r\n0\r\n\r\n`),
  {
    name: 'a last chunk without the final CRLF, then the client leaves: nothing reaches the upstream',
    send: `${HEAD}0\r\n`,
    end: true,
    statuses: [],
    closes: true,
    upstream: '',
  },
  {
    name: 'the request after a chunked body is served on the same connection',
    send: `${HEAD}5\r\nhello\r\n0\r\n\r\nGET /next HTTP/1.1\r\n${H}\r\n`,
    statuses: [200, 200],
    upstream: sent('5\r\nhello\r\n0\r\n\r\n') + fwd('GET /next HTTP/1.1', H),
  },
  {
    name: 'a request smuggled after a malformed chunk is never read',
    send: `${HEAD}5\r\nhelloXX0\r\n\r\nPOST /signup HTTP/1.1\r\n${H}content-length: 0\r\n\r\n`,
    statuses: [400],
    upstream: '',
  },
];
