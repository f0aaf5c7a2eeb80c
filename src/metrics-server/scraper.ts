/**
 * Scrape loops: one per target, on the job's interval, each with a fixed offset inside the
 * interval derived from the target (as scrape/target.go `offset` spreads targets), fetching the
 * text format with the job's timeout and appending through scrape-append.ts.
 */
import { appendEndOfRunStaleness, appendScrape, newScrapeState, type ScrapeState } from '../promql/scrape-append.js';
import { parseExposition, type ExposedSample } from '../promql/exposition.js';
import { labelsFromRecord, type Labels } from '../promql/labels.js';
import type { MemoryStorage } from '../promql/storage.js';
import type { ScrapeJobConfig, TargetConfig } from './config.js';

/** Time and timers, injectable for tests. */
export interface ScrapeClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** The real clock. */
export const systemClock: ScrapeClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

/** What /api/v1/targets shows for a target. */
export interface TargetStatus {
  job: ScrapeJobConfig;
  target: TargetConfig;
  labels: Labels;
  scrapeUrl: string;
  health: 'up' | 'down' | 'unknown';
  lastError: string;
  lastScrapeMs: number | undefined;
  lastScrapeDurationSeconds: number;
}

/** FNV-1a of a string, for a stable per-target offset. */
function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** First scrape time at or after `now` for a loop with this interval and offset (aligned to the epoch). */
export function nextScrapeAt(now: number, intervalMs: number, offsetMs: number): number {
  const base = now - (now % intervalMs) + offsetMs;
  return base >= now ? base : base + intervalMs;
}

/** Fetches and parses one target; throws with Prometheus-like messages on failure. */
export async function scrapeOnce(url: string, timeoutMs: number, bearerToken?: string): Promise<ExposedSample[]> {
  const res = await fetch(url, {
    headers: {
      accept: 'text/plain;version=0.0.4;q=1,*/*;q=0.1',
      'x-prometheus-scrape-timeout-seconds': String(timeoutMs / 1000),
      ...(bearerToken !== undefined ? { authorization: `Bearer ${bearerToken}` } : {}),
    },
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (res.status !== 200) {
    await res.body?.cancel();
    throw new Error(`server returned HTTP status ${res.status} ${res.statusText}`);
  }
  return parseExposition(await res.text()).samples;
}

/** Runs one target's loop until stopped. */
export class ScrapeLoop {
  readonly status: TargetStatus;
  private readonly state: ScrapeState = newScrapeState();
  private timer: unknown;
  private stopped = false;
  private running: Promise<void> | undefined;

  constructor(
    private readonly storage: MemoryStorage,
    readonly job: ScrapeJobConfig,
    readonly target: TargetConfig,
    private readonly clock: ScrapeClock,
  ) {
    const labels = labelsFromRecord({ ...target.labels, job: job.jobName, instance: target.address });
    this.status = {
      job,
      target,
      labels,
      scrapeUrl: `http://${target.address}${job.metricsPath}`,
      health: 'unknown',
      lastError: '',
      lastScrapeMs: undefined,
      lastScrapeDurationSeconds: 0,
    };
  }

  start(): void {
    const offset = hash32(`${this.job.jobName}/${this.status.scrapeUrl}`) % this.job.scrapeIntervalMs;
    this.schedule(nextScrapeAt(this.clock.now(), this.job.scrapeIntervalMs, offset));
  }

  private schedule(at: number): void {
    if (this.stopped) return;
    this.timer = this.clock.setTimeout(() => {
      this.running = this.tick().finally(() => {
        this.running = undefined;
        // The next scrape keeps the grid even if this one was slow.
        this.schedule(nextScrapeAt(Math.max(this.clock.now(), at + 1), this.job.scrapeIntervalMs, at % this.job.scrapeIntervalMs));
      });
    }, Math.max(0, at - this.clock.now()));
  }

  /** One scrape and append; exported for tests that drive time themselves. */
  async tick(): Promise<void> {
    const start = this.clock.now();
    let samples: ExposedSample[] | undefined;
    let error = '';
    try {
      samples = await scrapeOnce(this.status.scrapeUrl, this.job.scrapeTimeoutMs, this.job.bearerToken);
      if (!this.job.honorTimestamps) samples = samples.map((s) => ({ ...s, timestampMs: undefined }));
    } catch (e) {
      const err = e as Error;
      error = err.name === 'TimeoutError' ? `Get "${this.status.scrapeUrl}": context deadline exceeded` : err.message;
    }
    if (this.stopped) return;
    const duration = (this.clock.now() - start) / 1000;
    appendScrape(this.storage, this.status.labels, this.job.honorLabels, this.state, { samples, timeMs: start, durationSeconds: duration });
    this.status.health = samples ? 'up' : 'down';
    this.status.lastError = error;
    this.status.lastScrapeMs = start;
    this.status.lastScrapeDurationSeconds = duration;
  }

  /** Stops the loop and marks its series stale (scrape.go endOfRunStaleness). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.clock.clearTimeout(this.timer);
    await this.running;
    // After the last scrape's samples even when stopped in the same millisecond.
    appendEndOfRunStaleness(this.storage, this.status.labels, this.state, Math.max(this.clock.now(), (this.status.lastScrapeMs ?? 0) + 1));
  }
}
