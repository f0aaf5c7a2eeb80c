/**
 * Go's `time.ParseDuration` as Argo uses it for `interval`, `initialDelay` and `pause.duration`:
 * a sequence of decimal numbers with units `ns us µs ms s m h`, e.g. `30s`, `1m30s`, `1.5h`.
 * A bare integer (or numeric string) means seconds, as Argo's `DurationString` accepts it for
 * `pause.duration`.
 */

const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  'µs': 1e-3,
  'μs': 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** Milliseconds, or undefined when `text` is not a Go duration. `0` is valid. */
export function parseGoDuration(text: string): number | undefined {
  const s = text.trim();
  if (s === '0') return 0;
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/gy;
  let total = 0;
  let pos = 0;
  let sign = 1;
  let body = s;
  if (body.startsWith('-') || body.startsWith('+')) {
    sign = body.startsWith('-') ? -1 : 1;
    body = body.slice(1);
  }
  if (body === '') return undefined;
  re.lastIndex = 0;
  while (pos < body.length) {
    re.lastIndex = pos;
    const m = re.exec(body);
    if (!m || m.index !== pos) return undefined;
    total += Number(m[1]) * (UNIT_MS[m[2] as string] ?? Number.NaN);
    pos = re.lastIndex;
  }
  return Number.isFinite(total) ? sign * total : undefined;
}

/**
 * `pause.duration` and similar: an integer (seconds), a numeric string (seconds) or a Go
 * duration. Returns milliseconds, or undefined when invalid.
 */
export function parseDurationOrSeconds(value: number | string): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0 ? value * 1000 : undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const ms = parseGoDuration(value);
  return ms !== undefined && ms >= 0 ? ms : undefined;
}

/** `90000` -> `1m30s`, as Go prints a duration (whole seconds and above). */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  const neg = ms < 0;
  let rest = Math.abs(ms);
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const m = Math.floor(rest / 60_000);
  rest -= m * 60_000;
  const s = rest / 1000;
  let out = '';
  if (h) out += `${h}h`;
  if (h || m) out += `${m}m`;
  out += `${Number(s.toFixed(3))}s`;
  return (neg ? '-' : '') + out;
}
