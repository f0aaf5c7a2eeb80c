/**
 * AnalysisTemplate / ClusterAnalysisTemplate, with the checks Argo makes before a run starts
 * that can be made without the run's arguments (`utils/analysis/helpers.go` ValidateMetrics,
 * `analysisutil.ResolveMetricArgs`): every metric has exactly one provider, limits are in range,
 * `count > 1` needs an interval, durations parse, names are unique, `{{args.x}}` is declared.
 * Fields that may hold `{{args.x}}` stay as written; the analysis core resolves them per run.
 */
import type {
  AnalysisTemplateSpec,
  DryRun,
  IntOrString,
  MeasurementRetention,
  MetricSpec,
  TemplateArgument,
} from './types.js';
import { parseGoDuration } from './duration.js';
import { isObj, type Field } from './fields.js';
import { hasArgRef, readProvider, type TemplateCheckers } from './metric-providers.js';
import type { FieldPath } from './yaml-positions.js';

export { hasArgRef, type ConditionChecker, type TemplateCheckers } from './metric-providers.js';

const ARG_REF = /\{\{\s*args\.([^}\s]+)\s*\}\}/g;

/** IntOrString a metric may hold: an integer, an integer string, or a `{{args.x}}` reference. */
function readCountLike(f: Field): { value?: IntOrString; literal?: number } {
  const v = f.intOrString();
  if (v === undefined) return {};
  if (typeof v === 'number') return { value: v, literal: v };
  if (/^-?\d+$/.test(v.trim())) return { value: v, literal: Number(v.trim()) };
  if (hasArgRef(v)) return { value: v };
  f.error('invalid-value', `"${v}" is not an integer`, 'write a number or {{args.name}}');
  return {};
}

function readDurationString(f: Field): string | undefined {
  const v = f.scalarString();
  if (v === undefined) return undefined;
  if (!hasArgRef(v)) {
    const ms = parseGoDuration(v);
    if (ms === undefined || ms < 0) {
      f.error('invalid-duration', `"${v}" is not a duration`, 'use 30s, 1m, 1h');
      return undefined;
    }
  }
  return v;
}

/** Every string inside `value`, with its path, for `{{args.x}}` checks. */
function* stringsIn(value: unknown, path: FieldPath): Generator<[string, FieldPath]> {
  if (typeof value === 'string') yield [value, path];
  else if (Array.isArray(value)) for (let i = 0; i < value.length; i++) yield* stringsIn(value[i], [...path, i]);
  else if (isObj(value)) for (const [k, v] of Object.entries(value)) yield* stringsIn(v, [...path, k]);
}

const METRIC_KEYS = [
  'name',
  'interval',
  'initialDelay',
  'count',
  'successCondition',
  'failureCondition',
  'failureLimit',
  'inconclusiveLimit',
  'consecutiveErrorLimit',
  'consecutiveSuccessLimit',
  'provider',
];

function readMetric(f: Field, argNames: ReadonlySet<string>, checkers: TemplateCheckers): MetricSpec {
  f.checkKeys(METRIC_KEYS, 'a metric');
  const { provider, keys } = readProvider(f.get('provider'), checkers);
  const m: MetricSpec = { name: f.get('name').string({ required: true }) ?? '', providerKeys: keys };
  if (provider) m.provider = provider;

  const interval = readDurationString(f.get('interval'));
  if (interval !== undefined) m.interval = interval;
  const initialDelay = readDurationString(f.get('initialDelay'));
  if (initialDelay !== undefined) m.initialDelay = initialDelay;

  for (const key of ['successCondition', 'failureCondition'] as const) {
    const cond = f.get(key).string();
    if (cond === undefined) continue;
    m[key] = cond;
    // A condition with `{{args.x}}` compiles only after substitution, per run.
    if (checkers.checkCondition && !hasArgRef(cond)) {
      const problem = checkers.checkCondition(cond);
      if (problem !== undefined) f.get(key).error('invalid-condition', `does not compile: ${problem}`);
    }
  }

  const count = readCountLike(f.get('count'));
  const failureLimit = readCountLike(f.get('failureLimit'));
  const inconclusiveLimit = readCountLike(f.get('inconclusiveLimit'));
  const consecutiveErrorLimit = readCountLike(f.get('consecutiveErrorLimit'));
  const consecutiveSuccessLimit = readCountLike(f.get('consecutiveSuccessLimit'));
  if (count.value !== undefined) m.count = count.value;
  if (failureLimit.value !== undefined) m.failureLimit = failureLimit.value;
  if (inconclusiveLimit.value !== undefined) m.inconclusiveLimit = inconclusiveLimit.value;
  if (consecutiveErrorLimit.value !== undefined) m.consecutiveErrorLimit = consecutiveErrorLimit.value;
  if (consecutiveSuccessLimit.value !== undefined) m.consecutiveSuccessLimit = consecutiveSuccessLimit.value;

  // Limits, as argo-semantics.md states them (failureLimit -1 disables the limit).
  if (failureLimit.literal !== undefined && failureLimit.literal < -1) f.get('failureLimit').error('out-of-range', 'failureLimit must be >= -1');
  if (count.literal !== undefined && count.literal < 0) f.get('count').error('out-of-range', 'count must be >= 0');
  for (const [key, lit] of [
    ['inconclusiveLimit', inconclusiveLimit.literal],
    ['consecutiveErrorLimit', consecutiveErrorLimit.literal],
    ['consecutiveSuccessLimit', consecutiveSuccessLimit.literal],
  ] as const) {
    if (lit !== undefined && lit < 0) f.get(key).error('out-of-range', `${key} must be >= 0`);
  }
  const c = count.literal;
  if (c !== undefined && c > 0) {
    const fl = failureLimit.value === undefined ? 0 : failureLimit.literal;
    const csl = consecutiveSuccessLimit.value === undefined ? 0 : consecutiveSuccessLimit.literal;
    if (fl !== undefined && csl !== undefined && c < fl + csl) {
      f.get('count').error('invalid-count', `count (${c}) must be >= failureLimit + consecutiveSuccessLimit (${fl + csl})`);
    }
    if (inconclusiveLimit.literal !== undefined && c < inconclusiveLimit.literal) {
      f.get('count').error('invalid-count', `count (${c}) must be >= inconclusiveLimit (${inconclusiveLimit.literal})`);
    }
  }
  if (c !== undefined && c > 1 && interval === undefined && !f.get('interval').present) {
    f.get('interval').error('missing-interval', 'interval must be specified when count > 1', 'add interval: 30s');
  }

  for (const [text, path] of stringsIn(f.value, f.path)) {
    for (const match of text.matchAll(ARG_REF)) {
      const name = match[1] ?? '';
      if (!argNames.has(name)) {
        f.reporter.error('undeclared-arg', path, `{{args.${name}}} is not declared in spec.args`, `add - name: ${name} to spec.args`);
      }
    }
  }
  return m;
}

function readTemplateArg(f: Field): TemplateArgument {
  const arg: TemplateArgument = { name: f.get('name').string({ required: true }) ?? '' };
  const value = f.get('value').scalarString();
  if (value !== undefined) arg.value = value;
  const vf = f.get('valueFrom');
  if (vf.object()) {
    arg.valueFrom = {};
    const skr = vf.get('secretKeyRef');
    if (skr.object()) {
      arg.valueFrom.secretKeyRef = { name: skr.get('name').string({ required: true }) ?? '', key: skr.get('key').string({ required: true }) ?? '' };
    }
    const fr = vf.get('fieldRef');
    if (fr.object()) arg.valueFrom.fieldRef = { fieldPath: fr.get('fieldPath').string({ required: true }) ?? '' };
    if (value !== undefined) f.error('invalid-arg', `arg '${arg.name}' has both Value and ValueFrom fields`);
  }
  return arg;
}

/** `metricName` of dryRun / measurementRetention: an unanchored regular expression in Argo. */
function readMetricPattern(f: Field): string {
  const name = f.string({ required: true }) ?? '';
  try {
    new RegExp(name);
  } catch {
    f.error('invalid-regex', `"${name}" is not a regular expression`, 'metricName matches metric names as a regex, e.g. "error-.*"');
  }
  return name;
}

/** `dryRun[]`: metrics whose results do not count towards the run phase. */
export function readDryRun(f: Field): DryRun[] {
  return f.list().map((d) => ({ metricName: readMetricPattern(d.get('metricName')) }));
}

/** `measurementRetention[]`: how many measurements to keep per matching metric. */
export function readMeasurementRetention(f: Field): MeasurementRetention[] {
  return f.list().map((d) => ({
    metricName: readMetricPattern(d.get('metricName')),
    limit: d.get('limit').int({ required: true, min: 0 }) ?? 0,
  }));
}

/** `spec` of an AnalysisTemplate or ClusterAnalysisTemplate. */
export function readAnalysisTemplateSpec(spec: Field, checkers: TemplateCheckers = {}): AnalysisTemplateSpec {
  spec.object({ required: true });
  const args = spec.get('args').list().map(readTemplateArg);
  const argNames = new Set<string>();
  args.forEach((a, i) => {
    if (a.name && argNames.has(a.name)) spec.get('args').get(i).get('name').error('duplicate-name', `duplicate argument "${a.name}"`);
    argNames.add(a.name);
  });
  const metricFields = spec.get('metrics').list({ required: true, hint: 'an AnalysisTemplate needs at least one metric' });
  if (spec.get('metrics').present && metricFields.length === 0) spec.get('metrics').error('no-metrics', 'no metrics specified');
  const metrics = metricFields.map((mf) => readMetric(mf, argNames, checkers));
  const seen = new Set<string>();
  metrics.forEach((m, i) => {
    if (m.name && seen.has(m.name)) {
      spec.get('metrics').get(i).get('name').error('duplicate-metric', `duplicate metric name "${m.name}"`, 'metric names must be unique in a template');
    }
    seen.add(m.name);
  });
  return {
    metrics,
    args,
    dryRun: readDryRun(spec.get('dryRun')),
    measurementRetention: readMeasurementRetention(spec.get('measurementRetention')),
  };
}
