/**
 * Watches the stable revision while an expand runs. An expand is meant to be harmless to the
 * code already serving (additive, short locks), but a lock queue or a slow backfill can still
 * hurt it; when the stable revision's error rate rises, the expand is stopped and the rollout
 * aborts before any user reaches the new code (docs/migrations.md, "With baton up").
 */
import type { GatewayClient } from '../adapters/traffic/gateway/index.js';
import type { Clock } from '../ports/clock.js';

export interface HealthWatchOptions {
  clock: Clock;
  /** The stable revision's error rate (0..1) now; undefined when there is no traffic to judge. */
  read: () => Promise<number | undefined>;
  /** Engine-clock ms between two readings. */
  intervalMs: number;
  /** How far above the reading taken before the expand the rate may rise (0.05 = 5 points). */
  maxIncrease: number;
  /** Wall-clock bound on one reading; a slower one counts as unavailable. Default 5000. */
  readTimeoutMs?: number;
  log: (line: string) => void;
}

export interface HealthWatch {
  /** Aborts when the stable revision degrades (the runner cancels its statement in flight). */
  signal: AbortSignal;
  /** Why it aborted, once it has. */
  reason(): string | undefined;
  /** Ends the watch; resolves once the reading loop has stopped. */
  stop(): Promise<void>;
}

function percent(rate: number): string {
  return `${(rate * 100).toFixed(1)}%`;
}

/**
 * Starts watching: one reading now (the baseline), then one every `intervalMs`. Degraded means
 * a reading above `baseline + maxIncrease` (a missing baseline counts as 0): with the default
 * 0.05, a stable revision at 1 % errors before the expand is degraded at 6.1 %. A reading that
 * fails (the gateway busy restarting) is logged and judged by the next one, never taken as
 * healthy or degraded.
 */
export async function watchStableHealth(opts: HealthWatchOptions): Promise<HealthWatch> {
  const degraded = new AbortController();
  const stopped = new AbortController();
  let reason: string | undefined;
  const read = async (): Promise<number | undefined> => {
    let timer: NodeJS.Timeout | undefined;
    const bound = opts.readTimeoutMs ?? 5_000;
    // A gateway that does not answer must not hold up the expand it is meant to guard.
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${bound} ms`)), bound);
    });
    try {
      return await Promise.race([opts.read(), timedOut]);
    } catch (e) {
      opts.log(`stable error rate unavailable: ${e instanceof Error ? e.message : String(e)}`);
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  };
  const baseline = await read();
  const limit = (baseline ?? 0) + opts.maxIncrease;
  const loop = (async () => {
    while (!stopped.signal.aborted) {
      await opts.clock.sleepUntil(opts.clock.now() + opts.intervalMs, stopped.signal);
      if (stopped.signal.aborted) return;
      const rate = await read();
      if (rate !== undefined && rate > limit && !stopped.signal.aborted) {
        reason = `the stable revision's error rate rose to ${percent(rate)} during the schema expand (${baseline === undefined ? 'no traffic' : percent(baseline)} before it, limit ${percent(limit)})`;
        degraded.abort();
        return;
      }
    }
  })();
  return {
    signal: degraded.signal,
    reason: () => reason,
    async stop() {
      stopped.abort();
      await loop;
    },
  };
}

/**
 * The stable revision's 5xx rate as the gateway counts it: every cluster labelled with the
 * rollout and its stable hash (one per Service selecting it), requests and 5xx summed over the
 * last `windowS` seconds. Undefined with no stable revision or no requests in the window.
 *
 * The controller passes it as `stableErrorRate`:
 * `(name) => gatewayStableErrorRate(gateway.client, name, runtime.rollout(name)?.rolloutState.stableHash)`.
 */
export async function gatewayStableErrorRate(
  client: Pick<GatewayClient, 'getConfig' | 'getStats'>,
  rollout: string,
  stableHash: string | undefined,
  windowS = 10,
): Promise<number | undefined> {
  if (stableHash === undefined) return undefined;
  const config = await client.getConfig();
  const names = Object.entries(config.clusters)
    .filter(([, c]) => c.labels?.rollout === rollout && c.labels.revision === stableHash)
    .map(([name]) => name);
  let requests = 0;
  let errors = 0;
  for (const name of names) {
    const s = await client.getStats(name, windowS);
    requests += s.requests;
    errors += s.errors5xx;
  }
  return requests > 0 ? errors / requests : undefined;
}
