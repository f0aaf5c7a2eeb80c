/**
 * Time, injected. The engine never reads the wall clock directly: `baton simulate` drives a
 * virtual clock, tests drive a fake one with `advance(ms)`, the runtime uses the system clock.
 */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /**
   * Resolves at `at` (epoch ms) or when `signal` aborts, whichever is first. A virtual clock
   * resolves it when its time is advanced past `at`.
   */
  sleepUntil(at: number, signal?: AbortSignal): Promise<void>;
}
