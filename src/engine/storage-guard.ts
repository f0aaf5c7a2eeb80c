/**
 * Every write the engine (and the controller around it) makes to the state database goes
 * through one StorageGuard. When a write fails for a storage reason (disk full, read-only file or
 * file system, I/O error, a lock held too long), the guard:
 *
 * - keeps the write, by key, to retry it (a later write under the same key replaces it: a
 *   rollout's record is written whole, so only its latest version matters; events get a key
 *   each and keep their order) - the in-memory copy of what could not be stored;
 * - holds: `held` is true, and the Runtime carries out no new decision (no tick, no action, no
 *   new measurement) until everything kept is written. Traffic stays where the last decision,
 *   carried out before the failed write, put it;
 * - retries with exponential back-off (0.5 s, 1 s, 2 s, ... 30 s on the engine clock), as the
 *   kubelet and client-go back off, so a full disk is not hammered;
 * - reports: `failure` for the status, `onChange` for events and logs.
 *
 * A decision carried out whose write was lost (the controller killed while held) is carried out
 * again after the restart: the saved state is then the one before it, the router's saved routing
 * too, and every effect is idempotent (set a weight, scale to n).
 */
import { BatonError } from '../core/errors.js';
import type { Clock } from '../ports/clock.js';

/** errno codes of a file system that cannot take a write. */
const STORAGE_ERRNOS = new Set(['ENOSPC', 'EDQUOT', 'EFBIG', 'EROFS', 'EACCES', 'EPERM', 'EIO']);

/**
 * The store's codes for a state database that cannot take writes now (src/adapters/store/sqlite/
 * store-error.ts). `store-failed` is not one: a constraint or a bad value is a bug, which a retry
 * would only repeat.
 */
const STORAGE_CODES = new Set(['store-full', 'store-readonly', 'store-io', 'store-locked', 'store-open-failed', 'store-corrupt']);

/**
 * Whether `e` is a storage failure (retry later) rather than a bug: one of the store's codes
 * above, or a file write failing with one of the errnos above.
 */
export function isStorageFailure(e: unknown): boolean {
  if (e instanceof BatonError) return STORAGE_CODES.has(e.code);
  const code = typeof e === 'object' && e !== null && 'code' in e ? (e).code : undefined;
  return typeof code === 'string' && (STORAGE_ERRNOS.has(code) || ['SQLITE_FULL', 'SQLITE_IOERR', 'SQLITE_READONLY', 'SQLITE_BUSY', 'SQLITE_CANTOPEN'].some((c) => code.startsWith(c)));
}

/** A write refused because the state database cannot be written (see StorageGuard). */
export class StorageUnavailableError extends BatonError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('storage-unavailable', message, details);
  }
}

/** What the status shows while writes fail. */
export interface StorageFailure {
  /** The error of the last failed attempt. */
  message: string;
  /** Its code (`store-full`, `store-readonly`, `store-io`, ...). */
  code: string;
  /** Engine time of the first failure of this outage. */
  since: number;
  /** Failed attempts so far in this outage. */
  attempts: number;
  /** Engine time of the next attempt. */
  retryAt: number;
  /** Writes kept in memory until they can be stored. */
  pending: number;
}

/** A change of the guard's state, for events and logs. */
export type StorageChange = { type: 'held'; failure: StorageFailure } | { type: 'recovered'; since: number; attempts: number; written: number };

export interface StorageGuardOptions {
  /** First retry delay, ms on the engine clock; default 500. */
  initialBackoffMs?: number;
  /** Longest retry delay; default 30 s. */
  maxBackoffMs?: number;
  onChange?: (change: StorageChange) => void;
}

/** See the file comment. */
export class StorageGuard {
  private readonly pending = new Map<string, () => void>();
  private sequence = 0;
  private current: Omit<StorageFailure, 'pending'> | undefined;
  private readonly initialMs: number;
  private readonly maxMs: number;
  onChange: (change: StorageChange) => void;

  constructor(
    private readonly clock: Clock,
    opts: StorageGuardOptions = {},
  ) {
    this.initialMs = opts.initialBackoffMs ?? 500;
    this.maxMs = opts.maxBackoffMs ?? 30_000;
    this.onChange = opts.onChange ?? (() => {});
  }

  /** True while something could not be written: no new decision may be carried out. */
  get held(): boolean {
    return this.current !== undefined;
  }

  get failure(): StorageFailure | undefined {
    return this.current && { ...this.current, pending: this.pending.size };
  }

  /** When the next retry is due (engine time), while held. */
  get retryAt(): number | undefined {
    return this.current?.retryAt;
  }

  /**
   * Writes now, or keeps the write for later when held or when it fails for a storage reason
   * (see the file comment); returns whether it was written. Other errors are thrown: they are
   * bugs, not the disk.
   */
  write(key: string, fn: () => void): boolean {
    if (this.held) {
      this.keep(key, fn);
      return false;
    }
    try {
      fn();
      return true;
    } catch (e) {
      if (!isStorageFailure(e)) throw e;
      this.keep(key, fn);
      this.failed(e);
      return false;
    }
  }

  /** `write` for a write of its own (an event): never replaced by a later one. */
  writeNew(fn: () => void): boolean {
    return this.write(`#${++this.sequence}`, fn);
  }

  /**
   * Retries what was kept, oldest first, stopping at the first failure (the back-off grows).
   * Returns true when nothing is kept any more (storage works again).
   */
  retry(): boolean {
    if (!this.current) return true;
    let written = 0;
    for (const [key, fn] of [...this.pending]) {
      try {
        fn();
      } catch (e) {
        if (!isStorageFailure(e)) throw e;
        this.failed(e);
        return false;
      }
      this.pending.delete(key);
      written++;
    }
    const { since, attempts } = this.current;
    this.current = undefined;
    this.onChange({ type: 'recovered', since, attempts, written });
    return true;
  }

  /** A storage failure seen outside `write` (a write made directly): hold as for a failed write. */
  fail(e: unknown): void {
    this.failed(e);
  }

  /** Throws StorageUnavailableError while held: for actions that must not be carried out now. */
  assertWritable(doing: string): void {
    const f = this.failure;
    if (!f) return;
    throw new StorageUnavailableError(`cannot ${doing} now: the state database cannot be written since ${f.attempts} attempt(s) (${f.message}); Baton holds traffic where it is and retries`, { ...f });
  }

  private keep(key: string, fn: () => void): void {
    // A replaced write keeps its place: records are written in the order they were first kept.
    this.pending.set(key, fn);
  }

  private failed(e: unknown): void {
    const now = this.clock.now();
    const attempts = (this.current?.attempts ?? 0) + 1;
    // 0.5 s, 1 s, 2 s, 4 s, ... up to 30 s.
    const delay = Math.min(this.maxMs, this.initialMs * 2 ** Math.min(attempts - 1, 30));
    const first = this.current === undefined;
    this.current = {
      message: e instanceof Error ? e.message : String(e),
      code: e instanceof BatonError ? e.code : typeof e === 'object' && e !== null && 'code' in e ? String((e).code) : 'store-failed',
      since: this.current?.since ?? now,
      attempts,
      retryAt: now + delay,
    };
    if (first) this.onChange({ type: 'held', failure: { ...this.current, pending: this.pending.size } });
  }
}
