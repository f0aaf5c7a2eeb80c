/**
 * Appending one scrape to storage as scrape/scrape.go (2.42) does: target labels merged into
 * each sample (honor_labels, `exported_` prefixes on conflict), the report series (`up`,
 * `scrape_duration_seconds`, `scrape_samples_scraped`, ...), and staleness markers for series
 * that were in the previous scrape but not in this one, or for everything when a scrape fails.
 * Pure: the caller passes the scrape's timestamp.
 */
import type { ExposedSample } from './exposition.js';
import { labelsKey, METRIC_NAME, sortLabels, type Label, type Labels } from './labels.js';
import type { MemoryStorage } from './storage.js';

/** What the scrape loop remembers between scrapes: the series it appended without timestamps. */
export interface ScrapeState {
  seen: Map<string, Labels>;
}

/** A fresh state for a new target. */
export function newScrapeState(): ScrapeState {
  return { seen: new Map() };
}

/** One scrape's outcome to append. */
export interface ScrapeOutcome {
  /** Samples when the scrape succeeded, undefined when it failed. */
  samples: readonly ExposedSample[] | undefined;
  /** Scrape start time in ms, the timestamp of all samples without their own. */
  timeMs: number;
  durationSeconds: number;
}

/** Counts of what the append did. */
export interface AppendReport {
  appended: number;
  staleMarkers: number;
  seriesAdded: number;
  rejected: number;
}

/** `mutateSampleLabels`: target labels over (or under, with honor_labels) the exposed ones. */
export function mergeTargetLabels(exposed: Labels, target: Labels, honorLabels: boolean): Labels {
  const out = new Map<string, string>(exposed.map((l) => [l.name, l.value]));
  if (honorLabels) {
    for (const l of target) if (!out.get(l.name)) out.set(l.name, l.value);
  } else {
    const conflicts: Label[] = [];
    for (const l of target) {
      const existing = out.get(l.name);
      if (existing) conflicts.push({ name: l.name, value: existing });
      out.set(l.name, l.value);
    }
    // resolveConflictingExposedLabels: shortest names first, prefix with exported_ until free.
    conflicts.sort((a, b) => a.name.length - b.name.length);
    for (const c of conflicts) {
      let name = `exported_${c.name}`;
      while (out.get(name)) name = `exported_${name}`;
      out.set(name, c.value);
    }
  }
  const res: Label[] = [];
  for (const [name, value] of out) if (value !== '') res.push({ name, value });
  return sortLabels(res);
}

/** Appends one scrape (or a failed one) and its report series; returns counts. */
export function appendScrape(storage: MemoryStorage, target: Labels, honorLabels: boolean, state: ScrapeState, outcome: ScrapeOutcome): AppendReport {
  const report: AppendReport = { appended: 0, staleMarkers: 0, seriesAdded: 0, rejected: 0 };
  const t = outcome.timeMs;
  const seen = new Map<string, Labels>();
  for (const s of outcome.samples ?? []) {
    const labels = mergeTargetLabels(s.labels, target, honorLabels);
    const key = labelsKey(labels);
    const before = storage.seriesCount;
    const ser = storage.getOrCreate(labels, key);
    if (!ser) {
      report.rejected++;
      continue;
    }
    if (storage.seriesCount > before) report.seriesAdded++;
    // Samples with their own timestamp are kept out of staleness handling (scrape.go).
    const ts = s.timestampMs ?? t;
    const r = storage.appendTo(ser, ts, s.value);
    if (r === 'ok') report.appended++;
    else if (r !== 'ignored') report.rejected++;
    if (s.timestampMs === undefined) seen.set(key, labels);
  }
  for (const [key, labels] of state.seen) {
    if (seen.has(key)) continue;
    if (storage.append(labels, t, Number.NaN, true) === 'ok') report.staleMarkers++;
  }
  state.seen = seen;
  const up = outcome.samples !== undefined;
  const n = outcome.samples?.length ?? 0;
  const reportSeries: Array<[string, number]> = [
    ['up', up ? 1 : 0],
    ['scrape_duration_seconds', outcome.durationSeconds],
    ['scrape_samples_scraped', n],
    ['scrape_samples_post_metric_relabeling', n],
    ['scrape_series_added', report.seriesAdded],
  ];
  for (const [name, value] of reportSeries) storage.append(withName(target, name), t, value);
  return report;
}

/** Stale markers for everything a target exposed, when it is removed or the server stops. */
export function appendEndOfRunStaleness(storage: MemoryStorage, target: Labels, state: ScrapeState, timeMs: number): void {
  for (const labels of state.seen.values()) storage.append(labels, timeMs, Number.NaN, true);
  for (const name of ['up', 'scrape_duration_seconds', 'scrape_samples_scraped', 'scrape_samples_post_metric_relabeling', 'scrape_series_added']) {
    storage.append(withName(target, name), timeMs, Number.NaN, true);
  }
  state.seen = new Map();
}

function withName(target: Labels, name: string): Labels {
  return sortLabels([...target.filter((l) => l.name !== METRIC_NAME), { name: METRIC_NAME, value: name }]);
}
