/**
 * The pieces of the PostgreSQL wire protocol (version 3, "Message Formats" in PostgreSQL's
 * documentation) the served embedded database reads and writes itself, and the lane its
 * clients take turns on. See pglite-server.ts for how they are used.
 */

export const SSL_REQUEST = 80877103;
export const GSSENC_REQUEST = 80877104;
export const CANCEL_REQUEST = 80877102;
const READY_FOR_QUERY = 0x5a; // 'Z'
export const IDLE = 0x49; // 'I'
export const IN_TRANSACTION = 0x54; // 'T'
export const FAILED_TRANSACTION = 0x45; // 'E'
export const SYNC = new Uint8Array([0x53, 0, 0, 0, 4]);
export const TERMINATE = 0x58; // 'X'
export const PASSWORD_MESSAGE = 0x70; // 'p'
export const SYNC_TYPE = 0x53; // 'S'
/** A message longer than this is a broken client, not a query. */
export const MAX_MESSAGE = 256 * 1024 * 1024;
/** PostgreSQL's PG_MAX_AUTH_TOKEN_LENGTH: the longest password message it reads. */
export const MAX_AUTH_MESSAGE = 65_535;
/** The messages passed on to PGlite: Query, Parse, Bind, Execute, Describe, Close, Flush, Sync, FunctionCall. */
export const PASSED = new Set([...'QPBEDCHSF'].map((c) => c.charCodeAt(0)));
/** Messages the backend answers with a ReadyForQuery of their own: Query, Sync, FunctionCall. */
export const ENDS_WITH_READY = new Set([...'QSF'].map((c) => c.charCodeAt(0)));
export const COPY_FROM_STDIN = /\bcopy\b[\s\S]*\bfrom\s+stdin\b/i;

/** An ErrorResponse: `severity` (ERROR, or FATAL before the connection closes), SQLSTATE `code`, `message`. */
export function errorResponse(code: string, message: string, severity: 'ERROR' | 'FATAL' = 'ERROR'): Buffer {
  const fields = Buffer.from(`S${severity}\0V${severity}\0C${code}\0M${message}\0\0`, 'utf8');
  const head = Buffer.alloc(5);
  head[0] = 0x45; // 'E'
  head.writeInt32BE(4 + fields.length, 1);
  return Buffer.concat([head, fields]);
}

/** A ReadyForQuery with transaction status `status` (IDLE, IN_TRANSACTION, FAILED_TRANSACTION). */
export function readyForQuery(status: number): Buffer {
  return Buffer.from([READY_FOR_QUERY, 0, 0, 0, 5, status]);
}

/** A simple Query message. */
export function queryMessage(sql: string): Uint8Array {
  const text = Buffer.from(`${sql}\0`, 'utf8');
  const head = Buffer.alloc(5);
  head[0] = 0x51; // 'Q'
  head.writeInt32BE(4 + text.length, 1);
  return new Uint8Array(Buffer.concat([head, text]));
}

/** The SQL of a Query or Parse message, else undefined. */
export function sqlOf(bytes: Uint8Array): string | undefined {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset + 5, bytes.length - 5).toString('utf8');
  if (bytes[0] === 0x51) return text.split('\0')[0]; // 'Q': the query
  if (bytes[0] === 0x50) return text.split('\0')[1]; // 'P': name, then the query
  return undefined;
}

/** A StartupMessage: the protocol version and the parameters (`user`, `database`, ...). */
export interface Startup {
  version: number;
  params: Map<string, string>;
}

/** Reads a StartupMessage (length, version, then name/value strings up to an empty name). */
export function parseStartup(bytes: Uint8Array): Startup | undefined {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  const version = b.readInt32BE(4);
  if (version >> 16 !== 3) return undefined;
  const parts = b.toString('utf8', 8).split('\0');
  const params = new Map<string, string>();
  for (let i = 0; i + 1 < parts.length && parts[i] !== ''; i += 2) params.set(parts[i]!, parts[i + 1]!);
  return { version, params };
}

/** A StartupMessage of `startup`. */
export function startupMessage(startup: Startup): Uint8Array {
  const body = Buffer.from([...startup.params].map(([k, v]) => `${k}\0${v}\0`).join('') + '\0', 'utf8');
  const head = Buffer.alloc(8);
  head.writeInt32BE(8 + body.length, 0);
  head.writeInt32BE(startup.version, 4);
  return new Uint8Array(Buffer.concat([head, body]));
}

/** Thrown to a turn that was waiting when its connection or session closed. */
export class Cancelled extends Error {}

export type Owner = object;

/** One backend, one holder at a time, granted in arrival order. */
export class Lane {
  private holder: Owner | undefined;
  private waiting: { owner: Owner; grant: () => void; cancel: () => void }[] = [];

  acquire(owner: Owner): Promise<void> {
    if (this.holder === owner) return Promise.resolve();
    if (this.holder === undefined) {
      this.holder = owner;
      return Promise.resolve();
    }
    return new Promise((grant, reject) => this.waiting.push({ owner, grant, cancel: () => reject(new Cancelled('closed while waiting for the database')) }));
  }

  /** Takes `owner` out of the queue (its wait rejects with {@link Cancelled}). */
  cancel(owner: Owner): void {
    const gone = this.waiting.filter((w) => w.owner === owner);
    this.waiting = this.waiting.filter((w) => w.owner !== owner);
    for (const w of gone) w.cancel();
  }

  waitingCount(): number {
    return this.waiting.length;
  }

  holds(owner: Owner): boolean {
    return this.holder === owner;
  }

  release(owner: Owner): void {
    if (this.holder !== owner) return;
    const next = this.waiting.shift();
    this.holder = next?.owner;
    next?.grant();
  }
}

/** Follows the backend's answer frame by frame and remembers the status of the last ReadyForQuery. */
export class ReadyScanner {
  private readonly head = Buffer.alloc(5);
  private headLen = 0;
  private type = 0;
  private bodyLeft = 0;
  private bodyPos = 0;
  /** Set when a ReadyForQuery has been seen since the last {@link expect}. */
  ready = true;
  status = IDLE;

  expect(): void {
    this.ready = false;
  }

  feed(chunk: Uint8Array): void {
    let i = 0;
    while (i < chunk.length) {
      if (this.bodyLeft === 0) {
        this.head[this.headLen++] = chunk[i++]!;
        if (this.headLen === 5) {
          this.headLen = 0;
          this.type = this.head[0]!;
          this.bodyLeft = this.head.readInt32BE(1) - 4;
          this.bodyPos = 0;
          if (this.bodyLeft <= 0) this.bodyLeft = 0;
        }
        continue;
      }
      const n = Math.min(this.bodyLeft, chunk.length - i);
      if (this.type === READY_FOR_QUERY && this.bodyPos === 0) {
        this.status = chunk[i]!;
        this.ready = true;
      }
      i += n;
      this.bodyLeft -= n;
      this.bodyPos += n;
    }
  }
}
