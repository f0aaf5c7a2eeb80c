import { describe, expect, it } from 'vitest';
import { evalInstant } from './eval/engine.js';
import { parseExposition } from './exposition.js';
import { labelsFromRecord, labelsToRecord } from './labels.js';
import { parsePromQL } from './parse.js';
import { appendEndOfRunStaleness, appendScrape, mergeTargetLabels, newScrapeState } from './scrape-append.js';
import { MemoryStorage } from './storage.js';

const target = labelsFromRecord({ job: 'app', instance: 'h:1', env: 'test' });

function query(s: MemoryStorage, q: string, t: number): Array<[Record<string, string>, number]> {
  const v = evalInstant(s, parsePromQL(q), t);
  if (v.kind !== 'vector') throw new Error(v.kind);
  return v.samples.map((x) => [labelsToRecord(x.labels), x.value]);
}

describe('appendScrape', () => {
  it('adds target labels and the report series', () => {
    const s = new MemoryStorage();
    const st = newScrapeState();
    appendScrape(s, target, false, st, { samples: parseExposition('a{x="1"} 5\nb 2\n').samples, timeMs: 10_000, durationSeconds: 0.25 });
    expect(query(s, 'a', 10_000)).toEqual([[{ __name__: 'a', x: '1', job: 'app', instance: 'h:1', env: 'test' }, 5]]);
    expect(query(s, 'up', 10_000)).toEqual([[{ __name__: 'up', job: 'app', instance: 'h:1', env: 'test' }, 1]]);
    expect(query(s, 'scrape_samples_scraped', 10_000)[0]?.[1]).toBe(2);
    expect(query(s, 'scrape_duration_seconds', 10_000)[0]?.[1]).toBe(0.25);
    expect(query(s, 'scrape_series_added', 10_000)[0]?.[1]).toBe(2);
  });

  it('marks a vanished series stale at the next scrape, and everything stale when the target fails', () => {
    const s = new MemoryStorage();
    const st = newScrapeState();
    appendScrape(s, target, false, st, { samples: parseExposition('a 1\nb 2\n').samples, timeMs: 10_000, durationSeconds: 0.1 });
    appendScrape(s, target, false, st, { samples: parseExposition('a 1\n').samples, timeMs: 20_000, durationSeconds: 0.1 });
    // Without the marker b would still be returned for 5 minutes of lookback.
    expect(query(s, 'b', 25_000)).toEqual([]);
    expect(query(s, 'a', 25_000)).toHaveLength(1);
    appendScrape(s, target, false, st, { samples: undefined, timeMs: 30_000, durationSeconds: 0.1 });
    expect(query(s, 'a', 35_000)).toEqual([]);
    expect(query(s, 'up', 35_000)[0]?.[1]).toBe(0);
    expect(query(s, 'b', 15_000)).toHaveLength(1);
  });

  it('keeps samples with their own timestamps out of staleness', () => {
    const s = new MemoryStorage();
    const st = newScrapeState();
    appendScrape(s, target, false, st, { samples: parseExposition('ts_metric 3 5000\n').samples, timeMs: 10_000, durationSeconds: 0.1 });
    appendScrape(s, target, false, st, { samples: [], timeMs: 20_000, durationSeconds: 0.1 });
    expect(query(s, 'ts_metric', 20_000)).toHaveLength(1);
    expect(query(s, 'timestamp(ts_metric)', 20_000)[0]?.[1]).toBe(5);
  });

  it('marks everything stale at the end of a run', () => {
    const s = new MemoryStorage();
    const st = newScrapeState();
    appendScrape(s, target, false, st, { samples: parseExposition('a 1\n').samples, timeMs: 10_000, durationSeconds: 0.1 });
    appendEndOfRunStaleness(s, target, st, 11_000);
    expect(query(s, 'a', 12_000)).toEqual([]);
    expect(query(s, 'up', 12_000)).toEqual([]);
  });
});

describe('mergeTargetLabels', () => {
  const exposed = labelsFromRecord({ __name__: 'm', job: 'theirs', exported_job: 'older', zone: 'eu' });
  it('renames conflicting exposed labels to exported_* unless honor_labels', () => {
    expect(labelsToRecord(mergeTargetLabels(exposed, target, false))).toEqual({
      __name__: 'm',
      job: 'app',
      // The exposed exported_job keeps its name; the conflicting job moves past it.
      exported_job: 'older',
      exported_exported_job: 'theirs',
      zone: 'eu',
      instance: 'h:1',
      env: 'test',
    });
    expect(labelsToRecord(mergeTargetLabels(exposed, target, true))).toEqual({ __name__: 'm', job: 'theirs', exported_job: 'older', zone: 'eu', instance: 'h:1', env: 'test' });
  });
});
