/**
 * A strict, incremental decoder of a chunked request body (RFC 9112 section 7.1), for the raw
 * front end: chunk data is handed on as it arrives, the framing is checked byte for byte, and
 * whatever is not the grammar (or one of the readings below that nginx and HAProxy both make)
 * is an error (the client gets 400 and the connection is closed), so that the gateway and the
 * upstream can never disagree on where the body ends: the upstream gets the chunks framed anew.
 *
 * - chunk-size is hex digits, at most 16 of them after any leading zeros, and at most
 *   2^53 - 1 (no sign, no `0x`, no white space before it; spaces or tabs after it are read
 *   past, with or without an extension after them);
 * - chunk extensions (`;name=value`) are tolerated and dropped, whatever bytes they hold but a
 *   CR, up to a size line of 16 KiB;
 * - every line ends in LF, with or without CR before it (RFC 9112 2.2), and chunk data is
 *   followed by such a line end; a bare CR anywhere is refused;
 * - trailer fields after the last chunk must be `token: value` lines; they are read and
 *   dropped (the upstream request is framed anew, without trailers), up to 16 KiB.
 *
 * Worked example: `5;x=1\r\nhello\r\n0\r\nExpires: 0\r\n\r\n` gives `hello` and ends, and so does
 * `5\nhello\n0\n\n`.
 */
import { GatewayError } from '../errors.js';
import { isTchar } from './tokens.js';

/** Longest chunk-size line (with its extensions) read before the body is refused. */
export const MAX_CHUNK_LINE = 16 * 1024;

/** Most trailer bytes read after the last chunk. */
export const MAX_TRAILER_BYTES = 16 * 1024;

const enum Phase {
  Size,
  Data,
  DataEnd,
  Trailer,
  Done,
}

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

/** A control character other than HTAB, or DEL. */
function isCtl(c: number): boolean {
  return (c < 32 && c !== 9) || c === 127;
}

function bad(message: string): GatewayError {
  return new GatewayError('bad-request', `chunked body: ${message}`);
}

/** Decodes one chunked body; `decode` is fed the connection's bytes as they come. */
export class ChunkedDecoder {
  private phase = Phase.Size;
  private remaining = 0;
  private trailerBytes = 0;

  /** True once the last chunk and the trailer section were read. */
  get done(): boolean {
    return this.phase === Phase.Done;
  }

  /**
   * Consumes bytes of `buf` from `start`, calling `onData` with each slice of chunk data (which
   * aliases `buf`). Returns the index after the last byte consumed (bytes after it are an
   * incomplete line, or what follows the body), or the error to answer.
   */
  decode(buf: Buffer, start: number, onData: (data: Buffer) => void): number | GatewayError {
    let pos = start;
    while (pos < buf.length && this.phase !== Phase.Done) {
      switch (this.phase) {
        case Phase.Size:
        case Phase.Trailer: {
          const lf = buf.indexOf(10, pos);
          if (lf < 0) {
            const limit = this.phase === Phase.Size ? MAX_CHUNK_LINE : MAX_TRAILER_BYTES - this.trailerBytes;
            if (buf.length - pos > limit) return bad(this.phase === Phase.Size ? 'chunk-size line too long' : 'trailer section too long');
            return pos;
          }
          if (this.phase === Phase.Size && lf - pos > MAX_CHUNK_LINE) return bad('chunk-size line too long');
          // The line ends at the LF, and at the CR before it when there is one (RFC 9112 2.2).
          const eol = lf > pos && buf[lf - 1] === 13 ? lf - 1 : lf;
          const e = this.phase === Phase.Size ? this.sizeLine(buf, pos, eol) : this.trailerLine(buf, pos, eol, lf + 1 - pos);
          if (e !== undefined) return e;
          pos = lf + 1;
          break;
        }
        case Phase.Data: {
          const n = Math.min(this.remaining, buf.length - pos);
          onData(buf.subarray(pos, pos + n));
          pos += n;
          this.remaining -= n;
          if (this.remaining === 0) this.phase = Phase.DataEnd;
          break;
        }
        case Phase.DataEnd: {
          // CRLF or LF after the data.
          const c = buf[pos];
          if (c === 13) {
            if (pos + 1 >= buf.length) return pos;
            if (buf[pos + 1] !== 10) return bad('chunk data not followed by a line end');
            pos += 2;
          } else if (c === 10) pos += 1;
          else return bad('chunk data not followed by a line end');
          this.phase = Phase.Size;
          break;
        }
        default:
      }
    }
    return pos;
  }

  /** `chunk-size [ chunk-ext ]` in `buf[from, to)`. */
  private sizeLine(buf: Buffer, from: number, to: number): GatewayError | undefined {
    let i = from;
    while (i < to && buf[i] === 48) i++;
    const significant = i;
    let size = 0;
    while (i < to && isHex(buf[i] as number)) {
      size = size * 16 + parseInt(String.fromCharCode(buf[i] as number), 16);
      i++;
    }
    if (i === from) return bad(`invalid chunk size ${JSON.stringify(buf.toString('latin1', from, Math.min(to, from + 20)))}`);
    if (i - significant > 16 || size > Number.MAX_SAFE_INTEGER) return bad('chunk size too large');
    // chunk-ext = *( BWS ";" BWS ext-name [ BWS "=" BWS ext-val ] ): tolerated, not interpreted.
    while (i < to && (buf[i] === 32 || buf[i] === 9)) i++;
    if (i < to) {
      if (buf[i] !== 59) return bad(`invalid chunk size ${JSON.stringify(buf.toString('latin1', from, Math.min(to, from + 20)))}`);
      // Only a CR could make this line end elsewhere for another reader: nginx and HAProxy refuse it too.
      if (buf.indexOf(13, i) >= 0 && buf.indexOf(13, i) < to) return bad('a CR in a chunk extension');
    }
    this.remaining = size;
    this.phase = size === 0 ? Phase.Trailer : Phase.Data;
    return undefined;
  }

  /** A trailer field line in `buf[from, to)` (`bytes` with its line end), or the empty line that ends the body. */
  private trailerLine(buf: Buffer, from: number, to: number, bytes: number): GatewayError | undefined {
    this.trailerBytes += bytes;
    if (this.trailerBytes > MAX_TRAILER_BYTES) return bad('trailer section too long');
    if (to === from) {
      this.phase = Phase.Done;
      return undefined;
    }
    let i = from;
    while (i < to && isTchar(buf[i] as number)) i++;
    if (i === from || i >= to || buf[i] !== 58) return bad('malformed trailer field');
    for (let j = i + 1; j < to; j++) if (isCtl(buf[j] as number)) return bad('control character in a trailer field');
    return undefined;
  }
}
