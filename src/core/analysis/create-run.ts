/**
 * Building an AnalysisRun from templates and rollout arguments, as Argo does in
 * `utils/analysis/helpers.go` (`NewAnalysisRunFromTemplates`, `FlattenTemplates`, `MergeArgs`)
 * and in the first reconcile of `analysis/analysis.go` (argument resolution, `ValidateMetrics`,
 * dry-run and retention rules). Where Argo would refuse to create the run, or would put it in
 * phase Error on its first reconcile, the run is returned already in phase Error with Argo's
 * message, so the rollout reacts to it as it reacts to any errored run.
 */
import type {
  AnalysisTemplate,
  ClusterAnalysisTemplate,
  DryRun,
  MeasurementRetention,
  MetricSpec,
  TemplateArgument,
} from '../spec/types.js';
import type { SecretLookup } from './args.js';
import { substituteDeep, UnresolvedArgError } from './substitute.js';
import {
  DEFAULT_CONSECUTIVE_ERROR_LIMIT,
  DEFAULT_MEASUREMENT_HISTORY_LIMIT,
  type AnalysisRunKind,
  type AnalysisRunState,
  type MetricResult,
  type ResolvedMetric,
  type RunArgument,
  effectiveCount,
} from './types.js';
import { resolveDuration, resolveIntOrString, validateMetric } from './validate.js';

/** What a rollout hands over to start a run. */
export interface CreateAnalysisRunInput {
  name: string;
  kind: AnalysisRunKind;
  templates: readonly (AnalysisTemplate | ClusterAnalysisTemplate)[];
  /** The rollout's arguments, already resolved (resolveRolloutArgs). */
  args: readonly RunArgument[];
  /** The rollout's dryRun / measurementRetention; the templates' own are added to them. */
  dryRun: readonly DryRun[];
  measurementRetention: readonly MeasurementRetention[];
  /** Reads template args' `valueFrom.secretKeyRef` (secretLookupFromManifests, or a cluster's). */
  secrets?: SecretLookup;
}

/** Thrown inside this module only; turned into a run in phase Error. */
class RunSpecError extends Error {}

/** A new run in phase Running, or in phase Error with Argo's message when the spec is invalid. */
export function createAnalysisRun(input: CreateAnalysisRunInput, now: number): AnalysisRunState {
  const base: AnalysisRunState = {
    name: input.name,
    kind: input.kind,
    phase: 'Running',
    startedAt: now,
    terminated: false,
    metrics: [],
    metricResults: [],
    args: [],
  };
  try {
    const { metrics, args } = buildRun(input);
    return { ...base, metrics, args, metricResults: metrics.map(emptyResult) };
  } catch (err) {
    if (!(err instanceof RunSpecError)) throw err;
    return { ...base, phase: 'Error', message: err.message, completedAt: now };
  }
}

/** A metric's result before its first measurement: phase Pending, all counters 0. */
export function emptyResult(metric: ResolvedMetric): MetricResult {
  return {
    name: metric.name,
    phase: 'Pending',
    measurements: [],
    count: 0,
    successful: 0,
    failed: 0,
    inconclusive: 0,
    error: 0,
    consecutiveError: 0,
    consecutiveSuccess: 0,
    dryRun: metric.dryRun,
  };
}

function buildRun(input: CreateAnalysisRunInput): { metrics: ResolvedMetric[]; args: RunArgument[] } {
  // FlattenTemplates: namespaced templates first, then cluster ones, each in the given order.
  const templates = [
    ...input.templates.filter((t) => t.kind === 'AnalysisTemplate'),
    ...input.templates.filter((t) => t.kind === 'ClusterAnalysisTemplate'),
  ];
  const specs: { spec: MetricSpec; template: string }[] = [];
  const seen = new Set<string>();
  for (const t of templates) {
    for (const spec of t.spec.metrics) {
      if (seen.has(spec.name)) throw new RunSpecError(`two metrics have the same name '${spec.name}'`);
      seen.add(spec.name);
      specs.push({ spec, template: t.metadata.name });
    }
  }
  const templateDryRun = templates.flatMap((t) => t.spec.dryRun);
  checkDuplicateRules(templateDryRun, 'Dry-Run');
  const templateRetention = templates.flatMap((t) => t.spec.measurementRetention);
  checkDuplicateRules(templateRetention, 'Measurement Retention');
  const templateArgs = flattenArgs(templates.flatMap((t) => t.spec.args));

  const merged = mergeArgs(input.args, templateArgs);
  const dryRun = [...input.dryRun, ...templateDryRun];
  checkDuplicateRules(dryRun, 'Dry-Run');
  const retention = [...input.measurementRetention, ...templateRetention];
  checkDuplicateRules(retention, 'Measurement Retention');

  const values = argValues(merged, input.secrets);
  const resolved = specs.map(({ spec, template }) => ({ template, spec: substituteMetric(spec, values) }));

  if (resolved.length === 0) throw new RunSpecError('Analysis spec invalid: no metrics specified');
  // ValidateMetrics checks names again after substitution: `{{args.x}}` may sit in a name.
  const names = new Set<string>();
  resolved.forEach(({ spec }, i) => {
    if (names.has(spec.name)) throw new RunSpecError(`Analysis spec invalid: metrics[${i}]: duplicate name '${spec.name}'`);
    names.add(spec.name);
  });
  const metrics = resolved.map(({ spec, template }, i) => resolveMetric(spec, template, i));

  const dryRunNames = matchRules(dryRun, metrics, 'dryRun');
  const retentionByName = new Map<string, MeasurementRetention>();
  matchRules(retention, metrics, 'measurementRetention', (rule, name) => retentionByName.set(name, rule));

  if (input.kind !== 'Background') {
    // Rollout validation (validation_references.go, ValidateAnalysisTemplateWithType): only
    // background analysis may run until it is stopped.
    for (let i = 0; i < metrics.length; i++) {
      const m = metrics[i] as ResolvedMetric;
      if (effectiveCount(m) === undefined) {
        const written = resolved[i]?.spec.count;
        throw new RunSpecError(
          `AnalysisTemplate ${m.template} has metric ${m.name} which runs indefinitely. Invalid value for count: ${written === undefined ? '<nil>' : String(written)}`,
        );
      }
    }
  }

  for (const m of metrics) {
    m.dryRun = dryRunNames.has(m.name);
    const limit = retentionByName.get(m.name)?.limit ?? 0;
    m.measurementLimit = limit > 0 ? limit : DEFAULT_MEASUREMENT_HISTORY_LIMIT;
  }
  return { metrics, args: merged.map((a) => (a.value === undefined ? { name: a.name } : { name: a.name, value: a.value })) };
}

/** flattenArgs: the same argument in two templates must not carry two different values. */
function flattenArgs(args: readonly TemplateArgument[]): TemplateArgument[] {
  const out: TemplateArgument[] = [];
  for (const arg of args) {
    const i = out.findIndex((a) => a.name === arg.name);
    if (i < 0) {
      out.push(arg);
      continue;
    }
    const prev = out[i] as TemplateArgument;
    if (prev.value !== undefined && arg.value !== undefined && prev.value !== arg.value) {
      throw new RunSpecError(
        `Argument \`${prev.name}\` specified multiple times with different values: '${prev.value}', '${arg.value}'`,
      );
    }
    if (prev.value === undefined) out[i] = arg;
  }
  return out;
}

/**
 * MergeArgs: a rollout value overrides the template's default; rollout arguments the templates
 * do not declare are ignored; every declared argument must end with a value.
 */
function mergeArgs(incoming: readonly RunArgument[], templateArgs: readonly TemplateArgument[]): TemplateArgument[] {
  const out = templateArgs.map((a) => ({ ...a }));
  for (const arg of incoming) {
    const target = out.find((a) => a.name === arg.name);
    if (target && arg.value !== undefined) {
      target.value = arg.value;
      delete target.valueFrom;
    }
  }
  for (const arg of out) {
    if (arg.value === undefined && arg.valueFrom === undefined) throw new RunSpecError(`args.${arg.name} was not resolved`);
  }
  return out;
}

function argValues(args: readonly TemplateArgument[], secrets?: SecretLookup): Map<string, string> {
  const values = new Map<string, string>();
  for (const arg of args) {
    if (arg.value !== undefined) {
      values.set(arg.name, arg.value);
      continue;
    }
    const ref = arg.valueFrom?.secretKeyRef;
    if (ref && secrets) {
      // Argo `resolveArgs`: the value lives only in the metrics; the run's args keep the reference.
      const found = secrets(ref);
      if ('error' in found) throw new RunSpecError(`Unable to resolve metric arguments: ${found.error}`);
      values.set(arg.name, found.value);
      continue;
    }
    // Without a Secret lookup the run cannot start. A template-level fieldRef is never filled
    // in by Argo's controller either.
    const why = arg.valueFrom?.secretKeyRef
      ? `argument "${arg.name}" comes from a Secret (valueFrom.secretKeyRef), which Baton cannot read; pass its value from the Rollout`
      : `argument "${arg.name}" was not supplied`;
    throw new RunSpecError(`Unable to resolve metric arguments: ${why}`);
  }
  return values;
}

function substituteMetric(spec: MetricSpec, values: Map<string, string>): MetricSpec {
  try {
    return substituteDeep(spec, values);
  } catch (err) {
    if (err instanceof UnresolvedArgError) throw new RunSpecError(`Unable to resolve metric arguments: ${err.message}`);
    throw err;
  }
}

function resolveMetric(spec: MetricSpec, template: string, index: number): ResolvedMetric {
  const fail = (why: string): never => {
    throw new RunSpecError(`Analysis spec invalid: metrics[${index}]: ${why}`);
  };
  const int = (value: MetricSpec['count'], field: string): number | undefined => {
    const r = resolveIntOrString(value, field);
    if (r.error) fail(r.error);
    return r.value;
  };
  const numbers = {
    count: int(spec.count, 'count'),
    failureLimit: int(spec.failureLimit, 'failureLimit'),
    inconclusiveLimit: int(spec.inconclusiveLimit, 'inconclusiveLimit'),
    consecutiveErrorLimit: int(spec.consecutiveErrorLimit, 'consecutiveErrorLimit'),
    consecutiveSuccessLimit: int(spec.consecutiveSuccessLimit, 'consecutiveSuccessLimit'),
    interval: spec.interval,
    initialDelay: spec.initialDelay,
    providerKeys: spec.providerKeys,
    provider: spec.provider,
  };
  const problem = validateMetric(numbers);
  if (problem !== undefined) fail(problem);
  const interval = resolveDuration(spec.interval).ms;
  const initialDelay = resolveDuration(spec.initialDelay).ms;
  const metric: ResolvedMetric = {
    name: spec.name,
    template,
    failureLimit: numbers.failureLimit ?? 0,
    inconclusiveLimit: numbers.inconclusiveLimit ?? 0,
    consecutiveErrorLimit: numbers.consecutiveErrorLimit ?? DEFAULT_CONSECUTIVE_ERROR_LIMIT,
    consecutiveSuccessLimit: numbers.consecutiveSuccessLimit ?? 0,
    // validateMetric guarantees exactly one provider.
    provider: spec.provider as NonNullable<MetricSpec['provider']>,
    dryRun: false,
    measurementLimit: DEFAULT_MEASUREMENT_HISTORY_LIMIT,
  };
  if (interval !== undefined) metric.intervalMs = interval;
  if (initialDelay !== undefined) metric.initialDelayMs = initialDelay;
  if (numbers.count !== undefined) metric.count = numbers.count;
  if (spec.successCondition) metric.successCondition = spec.successCondition;
  if (spec.failureCondition) metric.failureCondition = spec.failureCondition;
  return metric;
}

function checkDuplicateRules(rules: readonly { metricName: string }[], what: string): void {
  const seen = new Set<string>();
  for (const r of rules) {
    if (seen.has(r.metricName)) throw new RunSpecError(`two ${what} metric rules have the same name '${r.metricName}'`);
    seen.add(r.metricName);
  }
}

/**
 * GetDryRunMetrics / GetMeasurementRetentionMetrics: each rule's metricName is an unanchored
 * regular expression (Go's regexp.MatchString) and must match at least one metric. A pattern
 * that does not compile matches nothing, as Argo ignores the compile error.
 */
function matchRules<R extends { metricName: string }>(
  rules: readonly R[],
  metrics: readonly ResolvedMetric[],
  field: string,
  onMatch?: (rule: R, metricName: string) => void,
): Set<string> {
  const matched = new Set<string>();
  rules.forEach((rule, i) => {
    let re: RegExp | undefined;
    try {
      re = new RegExp(rule.metricName);
    } catch {
      re = undefined;
    }
    let hits = 0;
    for (const m of metrics) {
      if (re?.test(m.name)) {
        matched.add(m.name);
        onMatch?.(rule, m.name);
        hits++;
      }
    }
    if (hits === 0) throw new RunSpecError(`Analysis spec invalid: ${field}[${i}]: Rule didn't match any metric name(s)`);
  });
  return matched;
}
