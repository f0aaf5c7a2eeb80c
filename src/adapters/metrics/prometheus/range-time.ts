/**
 * `rangeQuery.start` / `end` / `step` for the Prometheus provider. Argo evaluates start and end
 * as expr-lang expressions over `now()` and `duration()` (docs/analysis/prometheus.md:
 * `start: "now() - duration('5m')"`). Baton accepts the forms those docs use:
 * - `now()`
 * - `now() - duration("10m")` and `now() + duration("1h30m")` (single or double quotes)
 * - an RFC3339 time, bare or quoted: `2024-05-01T10:00:00Z`
 * Anything else is reported as unsupported, naming the field and the text.
 */
import { parseGoDuration } from '../../../core/spec/duration.js';

/** Epoch milliseconds, or a message naming the field. */
export type TimeResolution = { ok: true; ms: number } | { ok: false; message: string };

const NOW_EXPR = /^now\(\s*\)(?:\s*([+-])\s*duration\(\s*(["'])([^"']*)\2\s*\))?$/;
// RFC3339 with a mandatory zone, fractional seconds optional (Go's time.RFC3339Nano accepts both).
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/;

/** `field` names the input in messages, e.g. `rangeQuery.start`. */
export function resolveRangeTime(field: string, text: string, nowMs: number): TimeResolution {
  const src = text.trim();
  const m = NOW_EXPR.exec(src);
  if (m) {
    if (m[1] === undefined) return { ok: true, ms: nowMs };
    const d = parseGoDuration(m[3] ?? '');
    if (d === undefined) return { ok: false, message: `${field}: "${m[3] ?? ''}" is not a duration (use 30s, 10m, 1h)` };
    return { ok: true, ms: m[1] === '-' ? nowMs - d : nowMs + d };
  }
  const unquoted = /^(["'])(.*)\1$/.exec(src)?.[2] ?? src;
  if (RFC3339.test(unquoted)) {
    const ms = Date.parse(unquoted);
    if (!Number.isNaN(ms)) return { ok: true, ms };
  }
  return {
    ok: false,
    message: `${field}: "${text}" is not supported: use now(), now() - duration("10m") or an RFC3339 time such as 2024-05-01T10:00:00Z`,
  };
}

/** `step`: a Go duration (`30s`, `1m`) or a number of seconds; must be positive. */
export function resolveRangeStep(field: string, text: string): { ok: true; seconds: number } | { ok: false; message: string } {
  const src = text.trim();
  const ms = /^\d+(?:\.\d+)?$/.test(src) ? Number(src) * 1000 : parseGoDuration(src);
  if (ms === undefined || !(ms > 0)) return { ok: false, message: `${field}: "${text}" is not a positive duration (use 15s, 1m)` };
  return { ok: true, seconds: ms / 1000 };
}
