/**
 * The subset of prometheus.yml the embedded server reads (config/config.go, 2.42):
 * `global.scrape_interval|scrape_timeout|evaluation_interval` and `scrape_configs[]` with
 * `job_name`, `scrape_interval`, `scrape_timeout`, `metrics_path`, `scheme: http`,
 * `honor_labels`, `honor_timestamps`, `static_configs[].targets|labels`, `authorization`
 * (Bearer `credentials` or `credentials_file`, read once at load). Defaults as
 * Prometheus: interval 1m, timeout 10s (capped at the interval), path /metrics. Any other key
 * is reported as a warning naming it, so a real config file loads without surprises.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { InvalidInputError } from '../core/errors.js';
import { parsePromDuration } from '../promql/literals.js';
import { isValidLabelName } from '../promql/labels.js';

/** One static target after defaults. */
export interface TargetConfig {
  /** host:port as written; becomes the `instance` label. */
  address: string;
  /** Extra labels from static_configs[].labels. */
  labels: Record<string, string>;
}

/** One scrape job after defaults. */
export interface ScrapeJobConfig {
  jobName: string;
  scrapeIntervalMs: number;
  scrapeTimeoutMs: number;
  metricsPath: string;
  honorLabels: boolean;
  honorTimestamps: boolean;
  targets: TargetConfig[];
  /** Sent as `Authorization: Bearer ...`: `authorization.credentials` or the content of `credentials_file`. */
  bearerToken?: string;
}

/** The loaded configuration. */
export interface MetricsConfig {
  scrapeIntervalMs: number;
  scrapeTimeoutMs: number;
  evaluationIntervalMs: number;
  jobs: ScrapeJobConfig[];
  /** Unsupported keys, each named by its path. */
  warnings: string[];
}

const GLOBAL_KEYS = new Set(['scrape_interval', 'scrape_timeout', 'evaluation_interval']);
const JOB_KEYS = new Set(['job_name', 'scrape_interval', 'scrape_timeout', 'metrics_path', 'scheme', 'honor_labels', 'honor_timestamps', 'static_configs', 'authorization']);
const TOP_KEYS = new Set(['global', 'scrape_configs']);

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parses prometheus.yml text; `source` names the file in errors. */
export function parseMetricsConfig(text: string, source = 'prometheus.yml'): MetricsConfig {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    throw new InvalidInputError('invalid-config', `${source}: not valid YAML: ${(e as Error).message}`, { source });
  }
  doc ??= {};
  const bad = (path: string, msg: string): never => {
    throw new InvalidInputError('invalid-config', `${source}: ${path}: ${msg}`, { source, path });
  };
  if (!isRecord(doc)) return bad('(top)', 'expected a mapping');
  const warnings: string[] = [];
  for (const k of Object.keys(doc)) if (!TOP_KEYS.has(k)) warnings.push(`${source}: ${k} is not supported by the embedded server and is ignored`);
  const duration = (v: unknown, path: string, dflt: number): number => {
    if (v === undefined || v === null) return dflt;
    const ms = typeof v === 'string' ? parsePromDuration(v) : undefined;
    if (ms === undefined) return bad(path, `${JSON.stringify(v)} is not a duration (use 15s, 1m, 1h)`);
    return ms;
  };
  const global = doc.global ?? {};
  if (!isRecord(global)) return bad('global', 'expected a mapping');
  for (const k of Object.keys(global)) if (!GLOBAL_KEYS.has(k)) warnings.push(`${source}: global.${k} is not supported by the embedded server and is ignored`);
  const scrapeIntervalMs = duration(global.scrape_interval, 'global.scrape_interval', 60_000);
  // config.go: an unset global timeout is 10s, capped at the global interval.
  const scrapeTimeoutMs = duration(global.scrape_timeout, 'global.scrape_timeout', Math.min(10_000, scrapeIntervalMs));
  const evaluationIntervalMs = duration(global.evaluation_interval, 'global.evaluation_interval', 60_000);
  if (scrapeIntervalMs <= 0) bad('global.scrape_interval', 'must be greater than 0');
  if (scrapeTimeoutMs > scrapeIntervalMs) bad('global.scrape_timeout', 'global scrape timeout greater than scrape interval');
  const rawJobs = doc.scrape_configs ?? [];
  if (!Array.isArray(rawJobs)) return bad('scrape_configs', 'expected a list');
  const jobs: ScrapeJobConfig[] = [];
  rawJobs.forEach((raw: unknown, i) => {
    const path = `scrape_configs[${i}]`;
    if (!isRecord(raw)) return bad(path, 'expected a mapping');
    for (const k of Object.keys(raw)) if (!JOB_KEYS.has(k)) warnings.push(`${source}: ${path}.${k} is not supported by the embedded server and is ignored`);
    const jobName = raw.job_name;
    if (typeof jobName !== 'string' || jobName === '') return bad(`${path}.job_name`, 'is required');
    if (jobs.some((j) => j.jobName === jobName)) bad(`${path}.job_name`, `found multiple scrape configs with job name ${JSON.stringify(jobName)}`);
    const interval = duration(raw.scrape_interval, `${path}.scrape_interval`, scrapeIntervalMs);
    if (interval <= 0) bad(`${path}.scrape_interval`, 'must be greater than 0');
    // config.go: an unset job timeout is the global one, capped at the job's interval.
    const timeout = raw.scrape_timeout === undefined ? Math.min(scrapeTimeoutMs, interval) : duration(raw.scrape_timeout, `${path}.scrape_timeout`, scrapeTimeoutMs);
    if (timeout > interval) bad(`${path}.scrape_timeout`, `scrape timeout greater than scrape interval for scrape config with job name ${JSON.stringify(jobName)}`);
    const metricsPath = raw.metrics_path ?? '/metrics';
    if (typeof metricsPath !== 'string' || !metricsPath.startsWith('/')) return bad(`${path}.metrics_path`, 'must be a path starting with /');
    if (raw.scheme !== undefined && raw.scheme !== 'http') bad(`${path}.scheme`, `${JSON.stringify(raw.scheme)} is not supported (only http)`);
    const bool = (v: unknown, p: string, d: boolean): boolean => {
      if (v === undefined) return d;
      if (typeof v !== 'boolean') return bad(p, 'must be true or false');
      return v;
    };
    const statics = raw.static_configs ?? [];
    if (!Array.isArray(statics)) return bad(`${path}.static_configs`, 'expected a list');
    const targets: TargetConfig[] = [];
    statics.forEach((sc: unknown, j) => {
      const sp = `${path}.static_configs[${j}]`;
      if (!isRecord(sc)) return bad(sp, 'expected a mapping');
      for (const k of Object.keys(sc)) if (k !== 'targets' && k !== 'labels') warnings.push(`${source}: ${sp}.${k} is not supported by the embedded server and is ignored`);
      const labels = sc.labels ?? {};
      if (!isRecord(labels)) return bad(`${sp}.labels`, 'expected a mapping');
      const lbls: Record<string, string> = {};
      for (const [k, v] of Object.entries(labels)) {
        if (!isValidLabelName(k)) bad(`${sp}.labels`, `${JSON.stringify(k)} is not a valid label name`);
        lbls[k] = String(v);
      }
      const tg = sc.targets ?? [];
      if (!Array.isArray(tg)) return bad(`${sp}.targets`, 'expected a list');
      tg.forEach((t: unknown, k) => {
        if (typeof t !== 'string' || !/^[^/\s]+:\d+$/.test(t)) bad(`${sp}.targets[${k}]`, `${JSON.stringify(t)} is not host:port`);
        targets.push({ address: t as string, labels: lbls });
      });
    });
    const bearerToken = readAuthorization(raw.authorization, `${path}.authorization`, source, bad);
    jobs.push({
      ...(bearerToken !== undefined ? { bearerToken } : {}),
      jobName,
      scrapeIntervalMs: interval,
      scrapeTimeoutMs: timeout,
      metricsPath,
      honorLabels: bool(raw.honor_labels, `${path}.honor_labels`, false),
      honorTimestamps: bool(raw.honor_timestamps, `${path}.honor_timestamps`, true),
      targets,
    });
  });
  return { scrapeIntervalMs, scrapeTimeoutMs, evaluationIntervalMs, jobs, warnings };
}

/**
 * A job's `authorization` (config/http_config.go `Authorization`): `type` Bearer (the default),
 * `credentials` or `credentials_file` (relative to the config file, as Prometheus resolves it).
 */
function readAuthorization(v: unknown, path: string, source: string, bad: (path: string, msg: string) => never): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isRecord(v)) return bad(path, 'expected a mapping');
  for (const k of Object.keys(v)) if (!['type', 'credentials', 'credentials_file'].includes(k)) bad(`${path}.${k}`, 'unknown field (use type, credentials or credentials_file)');
  if (v.type !== undefined && v.type !== 'Bearer') bad(`${path}.type`, `${JSON.stringify(v.type)} is not supported (only Bearer)`);
  if (v.credentials !== undefined && v.credentials_file !== undefined) bad(path, 'at most one of credentials and credentials_file must be configured');
  if (typeof v.credentials === 'string' && v.credentials !== '') return v.credentials;
  if (v.credentials !== undefined) bad(`${path}.credentials`, 'must be a non-empty string');
  if (v.credentials_file === undefined) return undefined;
  if (typeof v.credentials_file !== 'string' || v.credentials_file === '') return bad(`${path}.credentials_file`, 'must be a file path');
  const file = resolve(dirname(source), v.credentials_file);
  try {
    return readFileSync(file, 'utf8').trim();
  } catch (e) {
    return bad(`${path}.credentials_file`, `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
}

/** Reads and parses a prometheus.yml file. */
export async function loadMetricsConfig(file: string): Promise<MetricsConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new InvalidInputError('invalid-config', `${file}: cannot read: ${(e as Error).message}`, { source: file });
  }
  return parseMetricsConfig(text, file);
}
