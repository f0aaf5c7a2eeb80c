/**
 * Writes gathered per event-loop turn. A connection with bytes to send registers here and
 * keeps them; one `setImmediate`, which runs after the turn's I/O callbacks, has every
 * registered connection write its bytes in one `write`. The peers (the upstream, the clients)
 * are then woken once per turn with their data rather than once per write, which on a busy
 * machine means far fewer context switches. No cork is involved: Node's corked path buffers
 * each write in its Writable queue and sends it by `writev`, which cost more than it saved.
 *
 * Whoever defers bytes must send them before writing anything else to the same socket, and
 * before ending it (`flushDeferred`).
 */

/** A connection holding bytes for the end of the turn. */
export interface Deferred {
  /** Writes the held bytes now, if any (and the socket is still open). */
  flushDeferred(): void;
}

const queue: Deferred[] = [];
let scheduled = false;

function flushAll(): void {
  scheduled = false;
  // A flush writes to a socket and runs no other JavaScript, so the queue cannot grow meanwhile.
  for (let i = 0; i < queue.length; i++) (queue[i] as Deferred).flushDeferred();
  queue.length = 0;
}

/** Has `d.flushDeferred()` called at the end of the current turn; register once per batch of held bytes. */
export function deferFlush(d: Deferred): void {
  queue.push(d);
  if (!scheduled) {
    scheduled = true;
    setImmediate(flushAll);
  }
}
