import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PROBE_DEFAULTS } from '../../../core/spec/defaults.js';
import type { Probe } from '../../../core/spec/types.js';
import { startProbeWorker, type ProbeResult } from './probes.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** Runs a worker over scripted attempt outcomes; returns the reported changes with their times. */
async function drive(outcomes: boolean[], probe: Partial<Probe>, initial?: ProbeResult, timeScale = 1) {
  const changes: [number, ProbeResult][] = [];
  const ac = new AbortController();
  let i = 0;
  const start = Date.now();
  startProbeWorker({
    probe: { ...PROBE_DEFAULTS, ...probe },
    attempt: () => Promise.resolve(outcomes[Math.min(i++, outcomes.length - 1)] ?? false),
    timeScale,
    signal: ac.signal,
    ...(initial ? { initial } : {}),
    onResult: (r) => changes.push([Date.now() - start, r]),
  });
  await vi.advanceTimersByTimeAsync(100_000);
  ac.abort();
  return { changes, attempts: i };
}

describe('startProbeWorker', () => {
  it('changes only after successThreshold successes or failureThreshold failures in a row', async () => {
    const { changes } = await drive([true, false, false, true, true, false, false, false, true], { periodSeconds: 10, successThreshold: 2, failureThreshold: 3 }, 'failure');
    // Attempts at 0,10,20,...: successes at 30 and 40 make it ready, failures at 50,60,70
    // unready; the last outcome repeats, so 80 and 90 make it ready again.
    expect(changes).toEqual([
      [40_000, 'success'],
      [70_000, 'failure'],
      [90_000, 'success'],
    ]);
  });

  it('waits initialDelaySeconds, and scales delays and periods by the time scale', async () => {
    const { changes } = await drive([true], { initialDelaySeconds: 50, periodSeconds: 10 }, 'failure', 0.1);
    expect(changes).toEqual([[5_000, 'success']]);
  });

  it('stops probing when aborted', async () => {
    const ac = new AbortController();
    let attempts = 0;
    startProbeWorker({
      probe: { ...PROBE_DEFAULTS, periodSeconds: 1 },
      attempt: () => Promise.resolve(++attempts > 0),
      timeScale: 1,
      signal: ac.signal,
      onResult: () => undefined,
    });
    await vi.advanceTimersByTimeAsync(2_500);
    ac.abort();
    const seen = attempts;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(seen).toBe(3);
    expect(attempts).toBe(seen);
  });
});
