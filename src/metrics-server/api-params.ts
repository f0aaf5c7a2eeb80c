/**
 * Request parameters as web/api/v1/api.go reads them: times as Unix seconds or RFC 3339,
 * durations as Prometheus durations or float seconds, errors in Prometheus' words.
 */
import { parsePromDuration } from '../promql/literals.js';

/** A bad request parameter (API errorType bad_data, HTTP 400). */
export class BadParamError extends Error {}

/** `parseTime`: float seconds (ms precision) or RFC 3339; returns ms. */
export function parseTimeParam(value: string, name: string): number {
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(value)) {
    // Go's strconv.ParseFloat refuses out-of-range input such as 1e400, so it is no timestamp.
    const ms = Math.round(Number(value) * 1000);
    if (Number.isFinite(ms)) return ms;
  }
  if (/^\d{4}-\d{2}-\d{2}T/.test(value)) {
    const ms = Date.parse(value);
    if (!Number.isNaN(ms)) return ms;
  }
  throw new BadParamError(`invalid parameter ${JSON.stringify(name)}: cannot parse ${JSON.stringify(value)} to a valid timestamp`);
}

/** `parseDuration`: float seconds or a Prometheus duration; returns ms. */
export function parseDurationParam(value: string, name: string): number {
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(value)) {
    const ms = Math.round(Number(value) * 1000);
    if (!Number.isFinite(ms)) throw new BadParamError(`invalid parameter ${JSON.stringify(name)}: cannot parse ${JSON.stringify(value)} to a valid duration. It overflows int64`);
    return ms;
  }
  const d = parsePromDuration(value);
  if (d === undefined) throw new BadParamError(`invalid parameter ${JSON.stringify(name)}: cannot parse ${JSON.stringify(value)} to a valid duration`);
  return d;
}
