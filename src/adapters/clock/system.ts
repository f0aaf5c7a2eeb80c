import type { Clock } from '../../ports/clock.js';

/** The wall clock, for the runtime. */
export function createSystemClock(): Clock {
  return {
    now: () => Date.now(),
    sleepUntil(at, signal) {
      return new Promise((resolve) => {
        if (signal?.aborted) return resolve();
        const timer = setTimeout(done, Math.max(0, at - Date.now()));
        function done(): void {
          clearTimeout(timer);
          signal?.removeEventListener('abort', done);
          resolve();
        }
        signal?.addEventListener('abort', done, { once: true });
      });
    },
  };
}
