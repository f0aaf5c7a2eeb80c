/**
 * The `metrics:` block of a `baton simulate` scenario: for each metric name, the results its
 * measurements get, in order. Entry forms:
 * - a number: a scalar result (Prometheus scalar), e.g. `0.2`
 * - a list: a vector, e.g. `[0.01]`
 * - true / false / a string / null / any other mapping: a JSON value, as the web provider returns it
 * - `{error: "message"}`: the provider failed (the measurement is an Error)
 * - `{job: succeeded}` / `{job: failed}`: a job metric's outcome, at once or `after` a while
 *   (`{job: succeeded, after: 2m}`); `{job: running}` never ends by itself and `{job: pending}`
 *   never starts (its pod is never scheduled): both fail at the Job's `activeDeadlineSeconds`
 *   when it has one, and run until the analysis run is terminated otherwise
 */
import { parseDurationOrSeconds } from '../../../core/spec/duration.js';

export type ScriptEntry =
  | { kind: 'value'; value: unknown }
  | { kind: 'error'; message: string }
  /** `afterMs`: how long the job runs; undefined for running/pending (until its deadline, if any). */
  | { kind: 'job'; outcome: 'succeeded' | 'failed'; afterMs?: number }
  | { kind: 'job'; outcome: 'running' | 'pending' };

/** Validated script: metric name -> at least one entry. */
export type MetricScript = Record<string, ScriptEntry[]>;

export type ParseScriptResult = { script: MetricScript } | { errors: string[] };

const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

const JOB_OUTCOMES = ['succeeded', 'failed', 'running', 'pending'];

function parseEntry(raw: unknown, path: string, errors: string[]): ScriptEntry | undefined {
  if (isPlainObject(raw) && ('error' in raw || 'job' in raw)) {
    const keys = Object.keys(raw);
    const extra = keys.filter((k) => k !== 'error' && k !== 'job' && !('job' in raw && k === 'after'));
    if (('error' in raw && 'job' in raw) || extra.length > 0) {
      errors.push(`${path}: {error: ...} and {job: ...} stand alone ({job: ...} takes only after); found keys ${keys.join(', ')}`);
      return undefined;
    }
    if ('error' in raw) {
      if (typeof raw.error !== 'string' || raw.error === '') {
        errors.push(`${path}.error: must be a non-empty message string, e.g. {error: "connection refused"}`);
        return undefined;
      }
      return { kind: 'error', message: raw.error };
    }
    const outcome = raw.job;
    if (typeof outcome !== 'string' || !JOB_OUTCOMES.includes(outcome)) {
      errors.push(`${path}.job: ${JSON.stringify(outcome)} is not a job outcome (use ${JOB_OUTCOMES.join(', ')})`);
      return undefined;
    }
    if (outcome === 'running' || outcome === 'pending') {
      if (raw.after !== undefined) {
        errors.push(`${path}.after: a ${outcome} job never ends by itself; use {job: succeeded, after: ...} for one that ends`);
        return undefined;
      }
      return { kind: 'job', outcome };
    }
    if (raw.after === undefined) return { kind: 'job', outcome: outcome as 'succeeded' | 'failed' };
    const afterMs = typeof raw.after === 'number' || typeof raw.after === 'string' ? parseDurationOrSeconds(raw.after) : undefined;
    if (afterMs === undefined) {
      errors.push(`${path}.after: ${JSON.stringify(raw.after)} is not a duration (use 30s, 2m)`);
      return undefined;
    }
    return { kind: 'job', outcome: outcome as 'succeeded' | 'failed', afterMs };
  }
  return { kind: 'value', value: raw };
}

/**
 * Checks a script (parsed YAML/JSON) and reports every problem at once. `path` prefixes the
 * messages (default `metrics`), e.g. `metrics.error-rate[1].job: "maybe" is not a job outcome`.
 */
export function parseScript(value: unknown, path = 'metrics'): ParseScriptResult {
  if (!isPlainObject(value)) {
    return { errors: [`${path}: must be a mapping of metric name to a list of results, e.g. {error-rate: [[0.01]]}`] };
  }
  const errors: string[] = [];
  const script: MetricScript = {};
  for (const [name, entries] of Object.entries(value)) {
    const at = `${path}.${name}`;
    if (!Array.isArray(entries)) {
      errors.push(`${at}: must be a list of results (one per measurement), e.g. [${JSON.stringify(entries) ?? 'null'}]`);
      continue;
    }
    if (entries.length === 0) {
      errors.push(`${at}: needs at least one result`);
      continue;
    }
    const parsed: ScriptEntry[] = [];
    entries.forEach((raw, i) => {
      const e = parseEntry(raw, `${at}[${i}]`, errors);
      if (e) parsed.push(e);
    });
    script[name] = parsed;
  }
  return errors.length > 0 ? { errors } : { script };
}
