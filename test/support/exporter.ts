/**
 * A small Prometheus exporter for tests: a node http server on 127.0.0.1:0 serving `/metrics` in
 * the text exposition format (version 0.0.4) with counters, gauges and histograms whose values
 * the test sets. Prometheus scrapes it like any target.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

type Labels = Record<string, string>;

interface Series {
  labels: Labels;
  value: number;
  /** Histograms: cumulative counts per upper bound, plus sum and count. */
  buckets?: number[];
  sum?: number;
  count?: number;
}

interface Family {
  type: 'counter' | 'gauge' | 'histogram';
  help: string;
  bounds?: number[];
  series: Map<string, Series>;
}

export interface Exporter {
  /** `127.0.0.1:PORT`, as a scrape target. */
  target: string;
  url: string;
  /** How many times /metrics was served. */
  scrapes(): number;
  setGauge(name: string, labels: Labels, value: number): void;
  incCounter(name: string, labels: Labels, by?: number): void;
  /** Declares a histogram's bucket bounds (before the first observation). */
  defineHistogram(name: string, bounds: number[]): void;
  observe(name: string, labels: Labels, value: number): void;
  /** Removes a series so it goes stale in Prometheus. */
  remove(name: string, labels: Labels): void;
  close(): Promise<void>;
}

const key = (labels: Labels): string => JSON.stringify(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)));

function formatNumber(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

function formatLabels(labels: Labels, extra?: [string, string]): string {
  const all = Object.entries(labels);
  if (extra) all.push(extra);
  if (all.length === 0) return '';
  const esc = (s: string): string => s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
  return `{${all.map(([k, v]) => `${k}="${esc(v)}"`).join(',')}}`;
}

function render(families: Map<string, Family>): string {
  const lines: string[] = [];
  for (const [name, f] of families) {
    lines.push(`# HELP ${name} ${f.help}`, `# TYPE ${name} ${f.type}`);
    for (const s of f.series.values()) {
      if (f.type !== 'histogram') {
        lines.push(`${name}${formatLabels(s.labels)} ${formatNumber(s.value)}`);
        continue;
      }
      const bounds = f.bounds ?? [];
      bounds.forEach((b, i) => lines.push(`${name}_bucket${formatLabels(s.labels, ['le', formatNumber(b)])} ${s.buckets?.[i] ?? 0}`));
      lines.push(`${name}_bucket${formatLabels(s.labels, ['le', '+Inf'])} ${s.count ?? 0}`);
      lines.push(`${name}_sum${formatLabels(s.labels)} ${formatNumber(s.sum ?? 0)}`);
      lines.push(`${name}_count${formatLabels(s.labels)} ${s.count ?? 0}`);
    }
  }
  return lines.join('\n') + '\n';
}

export async function startExporter(): Promise<Exporter> {
  const families = new Map<string, Family>();
  let scrapes = 0;
  const family = (name: string, type: Family['type']): Family => {
    let f = families.get(name);
    if (!f) {
      f = { type, help: `test ${type} ${name}`, series: new Map() };
      families.set(name, f);
    }
    if (f.type !== type) throw new Error(`${name} is a ${f.type}, not a ${type}`);
    return f;
  };
  const server: Server = createServer((req, res) => {
    if (req.url?.startsWith('/metrics')) {
      scrapes++;
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
      res.end(render(families));
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    target: `127.0.0.1:${port}`,
    url: `http://127.0.0.1:${port}/metrics`,
    scrapes: () => scrapes,
    setGauge(name, labels, value) {
      family(name, 'gauge').series.set(key(labels), { labels, value });
    },
    incCounter(name, labels, by = 1) {
      if (by < 0) throw new Error('a counter only goes up');
      const f = family(name, 'counter');
      const s = f.series.get(key(labels)) ?? { labels, value: 0 };
      s.value += by;
      f.series.set(key(labels), s);
    },
    defineHistogram(name, bounds) {
      family(name, 'histogram').bounds = [...bounds].sort((a, b) => a - b);
    },
    observe(name, labels, value) {
      const f = family(name, 'histogram');
      const bounds = f.bounds ?? [];
      const s = f.series.get(key(labels)) ?? { labels, value: 0, buckets: bounds.map(() => 0), sum: 0, count: 0 };
      bounds.forEach((b, i) => {
        if (value <= b && s.buckets) s.buckets[i] = (s.buckets[i] ?? 0) + 1;
      });
      s.sum = (s.sum ?? 0) + value;
      s.count = (s.count ?? 0) + 1;
      f.series.set(key(labels), s);
    },
    remove(name, labels) {
      families.get(name)?.series.delete(key(labels));
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
