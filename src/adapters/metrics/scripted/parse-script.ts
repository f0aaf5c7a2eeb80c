/**
 * The `metrics:` block of a `baton simulate` scenario: for each metric name, the results its
 * measurements get, in order. Entry forms:
 * - a number: a scalar result (Prometheus scalar), e.g. `0.2`
 * - a list: a vector, e.g. `[0.01]`
 * - true / false / a string / null / any other mapping: a JSON value, as the web provider returns it
 * - `{error: "message"}`: the provider failed (the measurement is an Error)
 * - `{job: succeeded}` / `{job: failed}`: a job metric's outcome
 */

export type ScriptEntry =
  | { kind: 'value'; value: unknown }
  | { kind: 'error'; message: string }
  | { kind: 'job'; outcome: 'succeeded' | 'failed' };

/** Validated script: metric name -> at least one entry. */
export type MetricScript = Record<string, ScriptEntry[]>;

export type ParseScriptResult = { script: MetricScript } | { errors: string[] };

const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function parseEntry(raw: unknown, path: string, errors: string[]): ScriptEntry | undefined {
  if (isPlainObject(raw) && ('error' in raw || 'job' in raw)) {
    const keys = Object.keys(raw);
    if (keys.length !== 1) {
      errors.push(`${path}: {error: ...} and {job: ...} stand alone; found keys ${keys.join(', ')}`);
      return undefined;
    }
    if ('error' in raw) {
      if (typeof raw.error !== 'string' || raw.error === '') {
        errors.push(`${path}.error: must be a non-empty message string, e.g. {error: "connection refused"}`);
        return undefined;
      }
      return { kind: 'error', message: raw.error };
    }
    if (raw.job === 'succeeded' || raw.job === 'failed') return { kind: 'job', outcome: raw.job };
    errors.push(`${path}.job: ${JSON.stringify(raw.job)} is not a job outcome (use succeeded or failed)`);
    return undefined;
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
