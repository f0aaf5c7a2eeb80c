/**
 * The server side of SCRAM-SHA-256 password authentication as PostgreSQL speaks it (RFC 5802 and
 * RFC 7677; the messages of PostgreSQL's "SASL Authentication" protocol section, and
 * `src/backend/libpq/auth-scram.c`): the served embedded database asks every connection for
 * its password this way, so the password never crosses the socket and a wrong one is told
 * apart in constant time.
 *
 * The exchange, with the messages PostgreSQL wraps them in:
 * ```
 * S: AuthenticationSASL            mechanisms "SCRAM-SHA-256"
 * C: SASLInitialResponse           n,,n=*,r=<client nonce>
 * S: AuthenticationSASLContinue    r=<client nonce><server nonce>,s=<salt>,i=4096
 * C: SASLResponse                  c=biws,r=<both nonces>,p=<client proof>
 * S: AuthenticationSASLFinal       v=<server signature>      (or ErrorResponse 28P01)
 * ```
 * No channel binding: the server does not speak TLS (it listens on 127.0.0.1 only).
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

const MECHANISM = 'SCRAM-SHA-256';
const AUTH_SASL = 10;
const AUTH_SASL_CONTINUE = 11;
const AUTH_SASL_FINAL = 12;

/** What the server keeps of a password (RFC 5802 section 3): never the password itself. */
export interface ScramSecret {
  salt: Buffer;
  iterations: number;
  storedKey: Buffer;
  serverKey: Buffer;
}

const hmac = (key: Buffer, text: string): Buffer => createHmac('sha256', key).update(text).digest();

/**
 * The secret of `password`. The password is taken as is: PostgreSQL applies SASLprep first,
 * which changes nothing for the printable ASCII passwords Baton generates.
 */
export function scramSecret(password: string, iterations = 4096, salt: Buffer = randomBytes(16)): ScramSecret {
  const salted = pbkdf2Sync(password, salt, iterations, 32, 'sha256');
  const clientKey = hmac(salted, 'Client Key');
  return { salt, iterations, storedKey: createHash('sha256').update(clientKey).digest(), serverKey: hmac(salted, 'Server Key') };
}

/** A client's SCRAM message that breaks the protocol (not a wrong password). */
export class ScramProtocolError extends Error {}

/** One connection's exchange: {@link first}, then {@link final}. */
export class ScramExchange {
  private clientFirstBare = '';
  private serverFirst = '';
  private nonce = '';
  private gs2Header = '';

  constructor(
    private readonly secret: ScramSecret,
    private readonly serverNonce: string = randomBytes(18).toString('base64'),
  ) {}

  /** The server-first-message answering `clientFirst` (`n,,n=<user>,r=<nonce>`). */
  first(clientFirst: string): string {
    const m = /^([ny]),(?:a=[^,]*)?,(n=[^,]*,r=([\x21-\x2b\x2d-\x7e]+)(?:,.*)?)$/.exec(clientFirst);
    if (!m) {
      if (clientFirst.startsWith('p=')) throw new ScramProtocolError('channel binding is not supported (the embedded database does not use TLS)');
      throw new ScramProtocolError('malformed SCRAM client-first-message');
    }
    this.gs2Header = clientFirst.slice(0, clientFirst.length - m[2]!.length);
    this.clientFirstBare = m[2]!;
    this.nonce = m[3]! + this.serverNonce;
    this.serverFirst = `r=${this.nonce},s=${this.secret.salt.toString('base64')},i=${this.secret.iterations}`;
    return this.serverFirst;
  }

  /** The server-final-message (`v=<signature>`) when the proof in `clientFinal` is right, else undefined. */
  final(clientFinal: string): string | undefined {
    const m = /^c=([^,]*),r=([^,]*)(?:,.*)?,p=([A-Za-z0-9+/=]+)$/.exec(clientFinal);
    if (!m) throw new ScramProtocolError('malformed SCRAM client-final-message');
    if (Buffer.from(m[1]!, 'base64').toString('latin1') !== this.gs2Header) throw new ScramProtocolError('SCRAM channel binding does not match');
    if (m[2] !== this.nonce) throw new ScramProtocolError('SCRAM nonce does not match');
    const proof = Buffer.from(m[3]!, 'base64');
    const withoutProof = clientFinal.slice(0, clientFinal.lastIndexOf(',p='));
    const authMessage = `${this.clientFirstBare},${this.serverFirst},${withoutProof}`;
    const signature = hmac(this.secret.storedKey, authMessage);
    if (proof.length !== signature.length) return undefined;
    const clientKey = Buffer.alloc(proof.length);
    for (let i = 0; i < proof.length; i++) clientKey[i] = proof[i]! ^ signature[i]!;
    const stored = createHash('sha256').update(clientKey).digest();
    if (!timingSafeEqual(stored, this.secret.storedKey)) return undefined;
    return `v=${hmac(this.secret.serverKey, authMessage).toString('base64')}`;
  }
}

function authentication(code: number, data: Buffer = Buffer.alloc(0)): Buffer {
  const head = Buffer.alloc(9);
  head[0] = 0x52; // 'R'
  head.writeInt32BE(8 + data.length, 1);
  head.writeInt32BE(code, 5);
  return Buffer.concat([head, data]);
}

/** AuthenticationSASL offering SCRAM-SHA-256 only. */
export const authenticationSasl = (): Buffer => authentication(AUTH_SASL, Buffer.from(`${MECHANISM}\0\0`, 'latin1'));
export const authenticationSaslContinue = (serverFirst: string): Buffer => authentication(AUTH_SASL_CONTINUE, Buffer.from(serverFirst, 'latin1'));
export const authenticationSaslFinal = (serverFinal: string): Buffer => authentication(AUTH_SASL_FINAL, Buffer.from(serverFinal, 'latin1'));

/** The SCRAM text of a SASLInitialResponse (`initial`) or SASLResponse message (type 'p'). */
export function saslPayload(message: Uint8Array, initial: boolean): string {
  const bytes = Buffer.from(message.buffer, message.byteOffset, message.length);
  if (bytes[0] !== 0x70) throw new ScramProtocolError(`expected a password message, got message type '${String.fromCharCode(bytes[0] ?? 0)}'`);
  let at = 5;
  if (initial) {
    const end = bytes.indexOf(0, at);
    if (end < 0) throw new ScramProtocolError('malformed SASLInitialResponse');
    const mechanism = bytes.toString('latin1', at, end);
    if (mechanism !== MECHANISM) throw new ScramProtocolError(`SASL mechanism ${mechanism} is not supported (use ${MECHANISM})`);
    if (end + 5 > bytes.length) throw new ScramProtocolError('malformed SASLInitialResponse');
    const len = bytes.readInt32BE(end + 1);
    at = end + 5;
    if (len < 0 || at + len !== bytes.length) throw new ScramProtocolError('malformed SASLInitialResponse');
  }
  return bytes.toString('utf8', at);
}
