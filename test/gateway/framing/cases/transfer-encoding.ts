/**
 * Request framing, family 2: Transfer-Encoding and its obfuscations. Only exactly `chunked`
 * (any case, optional white space around it) frames a body; a list not ending in chunked, or
 * applying it twice, is 400; another coding before chunked is 501 (as nginx answers); all
 * close the connection (RFC 9112 6.1, 7).
 */
import { H, KA, TE, fwd, type FramingCase } from '../support.js';

const BODY = '5\r\nhello\r\n0\r\n\r\n';
const post = (te: string): string => `POST /p HTTP/1.1\r\n${H}${te}\r\n${BODY}`;
const accepted = (name: string, te: string): FramingCase => ({ name, send: post(te), statuses: [200], upstream: fwd('POST /p HTTP/1.1', H, TE + KA, BODY) });
const refused = (name: string, te: string, status = 400): FramingCase => ({ name, send: post(te), statuses: [status], upstream: '' });

export const transferEncodingCases: FramingCase[] = [
  accepted('chunked', 'transfer-encoding: chunked\r\n'),
  accepted('upper-case CHUNKED and name', 'TRANSFER-ENCODING: CHUNKED\r\n'),
  accepted('mixed-case Chunked', 'Transfer-Encoding: Chunked\r\n'),
  accepted('a space before the value (OWS)', 'transfer-encoding:  chunked\r\n'),
  accepted('a tab before the value (OWS)', 'transfer-encoding:\tchunked\r\n'),
  accepted('white space after the value (OWS)', 'transfer-encoding: chunked \t\r\n'),
  refused('xchunked', 'transfer-encoding: xchunked\r\n'),
  refused('chunkedx', 'transfer-encoding: chunkedx\r\n'),
  refused('chunked, identity (chunked not final)', 'transfer-encoding: chunked, identity\r\n'),
  refused('identity alone', 'transfer-encoding: identity\r\n'),
  refused('chunked, chunked', 'transfer-encoding: chunked, chunked\r\n'),
  refused('two Transfer-Encoding fields of chunked', 'transfer-encoding: chunked\r\ntransfer-encoding: chunked\r\n'),
  refused('gzip, chunked (501: a coding the gateway does not apply)', 'transfer-encoding: gzip, chunked\r\n', 501),
  refused('gzip then chunked in two fields (501)', 'transfer-encoding: gzip\r\ntransfer-encoding: chunked\r\n', 501),
  refused('a parameter on chunked', 'transfer-encoding: chunked;q=1\r\n'),
  refused('a quoted "chunked"', 'transfer-encoding: "chunked"\r\n'),
  refused('an empty value', 'transfer-encoding: \r\n'),
  refused('an empty list member', 'transfer-encoding: , chunked\r\n'),
  refused('a vertical tab before chunked', 'transfer-encoding: \x0bchunked\r\n'),
  refused('white space before the colon', 'transfer-encoding : chunked\r\n'),
  refused('folded onto the next line (obs-fold)', 'transfer-encoding:\r\n chunked\r\n'),
  {
    name: 'Transfer_Encoding (another field name) frames nothing: the chunk line is read as a request and refused',
    send: post('transfer_encoding: chunked\r\n'),
    statuses: [200, 400],
    upstream: fwd('POST /p HTTP/1.1', `${H}transfer_encoding: chunked\r\n`, 'content-length: 0\r\n'),
  },
  {
    name: 'Transfer-Encoding in a Connection list still frames the body',
    send: post('connection: keep-alive, transfer-encoding\r\ntransfer-encoding: chunked\r\n'),
    statuses: [200],
    upstream: fwd('POST /p HTTP/1.1', H, TE + KA, BODY),
  },
  // RFC 9112 6.1: an HTTP/1.0 message with Transfer-Encoding has faulty framing.
  { name: 'Transfer-Encoding on HTTP/1.0', send: `POST /p HTTP/1.0\r\n${H}transfer-encoding: chunked\r\n\r\n${BODY}`, statuses: [400], upstream: '' },
];
