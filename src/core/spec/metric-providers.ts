/**
 * The `provider` block of an analysis metric: exactly one provider (Argo's ValidateMetric), with
 * the defaults of Argo's metric providers; providers Baton does not run are kept, with a warning.
 */
import type { JobProvider, KeyValue, MetricProviderSpec, PrometheusProvider, WebProvider } from './types.js';
import { DEFAULT_JOB_BACKOFF_LIMIT, DEFAULT_WEB_JSON_PATH, DEFAULT_WEB_METHOD, DEFAULT_WEB_TIMEOUT_SECONDS } from './defaults.js';
import { closest, type Field } from './fields.js';
import { readPodTemplate } from './pod-template.js';
import { readJudgeProvider, readSequentialProvider } from '../stats/read-provider-spec.js';

/** Providers Baton runs. */
const SUPPORTED_PROVIDERS = ['prometheus', 'web', 'job', 'judge', 'sequential'] as const;
/** Providers Argo knows (`MetricProvider` in `analysis_types.go`) that Baton does not run. */
const OTHER_ARGO_PROVIDERS = [
  'datadog',
  'newRelic',
  'wavefront',
  'kayenta',
  'cloudWatch',
  'graphite',
  'influxdb',
  'skywalking',
  'plugin',
];

/** Checks a condition compiles; returns the error message, or undefined when it is fine. */
export type ConditionChecker = (source: string) => string | undefined;

/** Static checks that need a language implementation, injected so the spec stays small. */
export interface TemplateCheckers {
  /** A success/failure condition. */
  checkCondition?: ConditionChecker;
  /** A Prometheus query; problems are warnings, since the server's PromQL version decides. */
  checkQuery?: ConditionChecker;
}

/** Whether `text` holds a `{{args.x}}` reference (resolved per run, so not checked here). */
export function hasArgRef(text: string): boolean {
  return /\{\{\s*args\./.test(text);
}

/** An http(s) URL, unless it holds `{{args.x}}` (checked after substitution, per run). */
function readUrl(f: Field): string {
  const url = f.string({ required: true }) ?? '';
  if (!url || hasArgRef(url)) return url;
  let ok = false;
  try {
    const u = new URL(url);
    ok = u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    ok = false;
  }
  if (!ok) f.error('invalid-url', `"${url}" is not an http(s) URL`, 'e.g. http://prometheus.monitoring:9090');
  return url;
}

function readKeyValues(f: Field): KeyValue[] {
  return f.list().map((h) => ({ key: h.get('key').string({ required: true }) ?? '', value: h.get('value').scalarString() ?? '' }));
}

function readPrometheus(f: Field, checkers: TemplateCheckers): PrometheusProvider {
  const p: PrometheusProvider = {
    type: 'prometheus',
    address: readUrl(f.get('address')),
    query: f.get('query').string({ required: true }) ?? '',
    insecure: f.get('insecure').bool(false),
    headers: readKeyValues(f.get('headers')),
  };
  if (p.query && checkers.checkQuery && !hasArgRef(p.query)) {
    const problem = checkers.checkQuery(p.query);
    if (problem !== undefined) {
      f.get('query').warning('invalid-query', `does not parse as PromQL: ${problem}`, 'a run with this metric ends in Error if Prometheus rejects it too');
    }
  }
  const timeout = f.get('timeout').int({ min: 0 });
  if (timeout !== undefined) p.timeout = timeout;
  const rq = f.get('rangeQuery');
  if (rq.object()) {
    p.rangeQuery = {
      start: rq.get('start').string({ required: true }) ?? '',
      end: rq.get('end').string({ required: true }) ?? '',
      step: rq.get('step').string({ required: true }) ?? '',
    };
  }
  const auth = f.get('authentication').object();
  if (auth) p.authentication = auth;
  return p;
}

function readWeb(f: Field): WebProvider {
  const method = (f.get('method').string() ?? DEFAULT_WEB_METHOD).toUpperCase();
  if (!['GET', 'POST', 'PUT'].includes(method)) {
    f.get('method').error('invalid-value', `"${method}" is not a web metric method`, 'use GET, POST or PUT');
  }
  const w: WebProvider = {
    type: 'web',
    url: readUrl(f.get('url')),
    method,
    headers: readKeyValues(f.get('headers')),
    timeoutSeconds: f.get('timeoutSeconds').int({ min: 0 }) ?? DEFAULT_WEB_TIMEOUT_SECONDS,
    jsonPath: f.get('jsonPath').string() ?? DEFAULT_WEB_JSON_PATH,
    insecure: f.get('insecure').bool(false),
  };
  const body = f.get('body').string();
  if (body !== undefined) w.body = body;
  if (f.get('jsonBody').present) w.jsonBody = f.get('jsonBody').value;
  if (body !== undefined && w.jsonBody !== undefined) {
    f.get('jsonBody').error('invalid-provider', 'use either body or jsonBody, not both');
  }
  return w;
}

function readJob(f: Field): JobProvider | undefined {
  const spec = f.get('spec');
  if (!spec.object({ required: true })) return undefined;
  const template = readPodTemplate(spec.get('template'), { required: true });
  if (!template) return undefined;
  const job: JobProvider = {
    type: 'job',
    template,
    backoffLimit: spec.get('backoffLimit').int({ min: 0 }) ?? DEFAULT_JOB_BACKOFF_LIMIT,
  };
  const deadline = spec.get('activeDeadlineSeconds').int({ min: 1 });
  if (deadline !== undefined) job.activeDeadlineSeconds = deadline;
  return job;
}

/** Reads `provider`; `keys` lists every provider written, for the run-time "several providers" check. */
export function readProvider(f: Field, checkers: TemplateCheckers): { provider?: MetricProviderSpec; keys: string[] } {
  if (!f.object({ required: true, hint: 'add prometheus, web, job, judge or sequential' })) return { keys: [] };
  const keys = f.keys().filter((k) => f.get(k).present);
  if (keys.length === 0) {
    f.error('no-provider', 'no provider specified', 'add prometheus, web, job, judge or sequential');
    return { keys };
  }
  if (keys.length > 1) {
    f.error('multiple-providers', `multiple providers specified: ${keys.join(', ')}`, 'a metric has exactly one provider');
  }
  const name = keys[0] as string;
  const pf = f.get(name);
  let provider: MetricProviderSpec | undefined;
  switch (name) {
    case 'prometheus':
      if (pf.object()) provider = readPrometheus(pf, checkers);
      break;
    case 'web':
      if (pf.object()) provider = readWeb(pf);
      break;
    case 'job':
      if (pf.object()) provider = readJob(pf);
      break;
    case 'judge':
      if (pf.object()) provider = readJudgeProvider(pf);
      break;
    case 'sequential':
      if (pf.object()) provider = readSequentialProvider(pf);
      break;
    default: {
      if (OTHER_ARGO_PROVIDERS.includes(name)) {
        pf.warning('unsupported-provider', `metric provider "${name}" is not supported by Baton`, `Baton runs ${SUPPORTED_PROVIDERS.join(', ')}; a run with this metric ends in Error`);
      } else {
        // Not a provider Argo knows either: Argo's CRD schema drops the field and the metric is
        // left with no provider, so this is an error, most often a misspelling.
        const near = closest(name, [...SUPPORTED_PROVIDERS, ...OTHER_ARGO_PROVIDERS]);
        pf.error('unknown-provider', `unknown metric provider "${name}"`, near ? `did you mean "${near}"?` : `use one of ${SUPPORTED_PROVIDERS.join(', ')}`);
      }
      provider = { type: 'unsupported', name, raw: pf.value };
    }
  }
  const out: { provider?: MetricProviderSpec; keys: string[] } = { keys };
  if (provider) out.provider = provider;
  return out;
}
