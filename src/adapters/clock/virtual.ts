import type { Clock } from '../../ports/clock.js';

/** A clock that moves only when told to: `baton simulate` and tests. */
export interface VirtualClock extends Clock {
  /** Moves time forward to `at` (never backwards) and wakes the sleepers that are due. */
  advanceTo(at: number): void;
  advance(ms: number): void;
}

export function createVirtualClock(start = 0): VirtualClock {
  let now = start;
  const sleepers = new Set<{ at: number; wake: () => void }>();
  const clock: VirtualClock = {
    now: () => now,
    sleepUntil(at, signal) {
      if (at <= now || signal?.aborted) return Promise.resolve();
      return new Promise((resolve) => {
        const entry = {
          at,
          wake: () => {
            sleepers.delete(entry);
            signal?.removeEventListener('abort', entry.wake);
            resolve();
          },
        };
        sleepers.add(entry);
        signal?.addEventListener('abort', entry.wake, { once: true });
      });
    },
    advanceTo(at) {
      if (at > now) now = at;
      for (const s of [...sleepers]) if (s.at <= now) s.wake();
    },
    advance(ms) {
      clock.advanceTo(now + ms);
    },
  };
  return clock;
}
