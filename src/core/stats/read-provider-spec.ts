/**
 * Reads and validates `provider.judge` and `provider.sequential`, reporting each problem with
 * its field path (the file and line come from the reporter), as every provider's reader does.
 */
import { parseGoDuration } from '../spec/duration.js';
import type { Field } from '../spec/fields.js';
import { judgeMetricDefaults, type Direction, type JudgeTest, type NanStrategy } from './judge-config.js';
import type { JudgeMetricSpec, JudgeProvider, PrometheusSource, SequentialProvider, SequentialTestSpec } from './provider-spec.js';

const SOURCE_KEYS = ['address', 'timeout', 'insecure', 'headers', 'roles'];

function readDurationSeconds(f: Field, fallback: number): number {
  const text = f.scalarString();
  if (text === undefined) return fallback;
  const ms = parseGoDuration(text);
  if (ms === undefined || !(ms > 0)) {
    f.error('invalid-duration', `"${text}" is not a positive duration`, 'use e.g. 10s, 5m, 1h');
    return fallback;
  }
  return ms / 1000;
}

function readSource(f: Field): PrometheusSource {
  const address = f.get('address').string({ required: true, hint: 'the Prometheus to query, e.g. http://prometheus:9090' }) ?? '';
  if (address && !/\{\{/.test(address)) {
    let ok = false;
    try {
      ok = ['http:', 'https:'].includes(new URL(address).protocol);
    } catch {
      ok = false;
    }
    if (!ok) f.get('address').error('invalid-url', `"${address}" is not an http(s) URL`, 'e.g. http://prometheus.monitoring:9090');
  }
  const roles = f.get('roles');
  roles.checkKeys(['canary', 'baseline'], 'roles');
  const src: PrometheusSource = {
    address,
    insecure: f.get('insecure').bool(false),
    headers: f.get('headers').list().map((h) => ({ key: h.get('key').string({ required: true }) ?? '', value: h.get('value').scalarString() ?? '' })),
    roles: { canary: roles.get('canary').scalarString() ?? 'canary', baseline: roles.get('baseline').scalarString() ?? 'baseline' },
  };
  const timeout = f.get('timeout').int({ min: 0 });
  if (timeout !== undefined) src.timeout = timeout;
  return src;
}

/** A query that must name the group with `${role}`. */
function readRoleQuery(f: Field): string | undefined {
  const q = f.string({ required: true });
  if (q !== undefined && !/\$\{\s*role\s*\}/.test(q)) {
    f.error('missing-role', 'does not contain ${role}', 'write ${role} where the query selects the group, e.g. {role="${role}"}');
  }
  return q;
}

function oneOf<T extends string>(f: Field, allowed: readonly T[], fallback: T): T {
  const v = f.string();
  if (v === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(v)) {
    f.error('invalid-value', `"${v}" is not one of ${allowed.join(', ')}`);
    return fallback;
  }
  return v as T;
}

function readJudgeMetric(f: Field): JudgeMetricSpec | undefined {
  f.checkKeys(['name', 'test', 'query', 'events', 'total', 'groups', 'confLevel', 'analysisConfigurations'], 'a judge metric');
  const name = f.get('name').string({ required: true }) ?? '';
  const test = oneOf<JudgeTest>(f.get('test'), ['mannWhitney', 'spread', 'count'], 'mannWhitney');
  const canary = f.get('analysisConfigurations').get('canary');
  canary.checkKeys(['direction', 'nanStrategy', 'critical', 'mustHaveData', 'muted', 'effectSize', 'outliers', 'logScale'], 'analysisConfigurations.canary');
  const effect = canary.get('effectSize');
  effect.checkKeys(['measure', 'allowedIncrease', 'allowedDecrease', 'criticalIncrease', 'criticalDecrease'], 'effectSize');
  const effectSize: Record<string, unknown> = { measure: oneOf(effect.get('measure'), ['meanRatio', 'cles'] as const, 'meanRatio') };
  for (const k of ['allowedIncrease', 'allowedDecrease', 'criticalIncrease', 'criticalDecrease']) {
    const v = effect.get(k).number({ min: 0 });
    if (v !== undefined) effectSize[k] = v;
  }
  const outliers = canary.get('outliers');
  const confLevel = f.get('confLevel').number();
  if (confLevel !== undefined && !(confLevel > 0 && confLevel < 1)) f.get('confLevel').error('out-of-range', `${confLevel} is not between 0 and 1`, 'e.g. 0.98, Kayenta\'s level');
  const config = judgeMetricDefaults(name, {
    test,
    groups: f.get('groups').stringList(),
    direction: oneOf<Direction>(canary.get('direction'), ['increase', 'decrease', 'either'], 'either'),
    nanStrategy: oneOf<NanStrategy>(canary.get('nanStrategy'), ['remove', 'replace'], 'remove'),
    critical: canary.get('critical').bool(false),
    mustHaveData: canary.get('mustHaveData').bool(false),
    muted: canary.get('muted').bool(false),
    logScale: canary.get('logScale').bool(true),
    effectSize,
    outliers: { strategy: oneOf(outliers.get('strategy'), ['remove', 'keep'] as const, 'keep'), outlierFactor: outliers.get('outlierFactor').number({ min: 0 }) ?? 3 },
    ...(confLevel !== undefined && confLevel > 0 && confLevel < 1 ? { confLevel } : {}),
  });
  const spec: JudgeMetricSpec = { config };
  if (test === 'count') {
    spec.events = readRoleQuery(f.get('events')) ?? '';
    spec.total = readRoleQuery(f.get('total')) ?? '';
    if (f.get('query').present) f.get('query').error('invalid-provider', 'a count metric reads events and total, not query');
  } else {
    spec.query = readRoleQuery(f.get('query')) ?? '';
  }
  return name ? spec : undefined;
}

/** Reads `provider.judge`. */
export function readJudgeProvider(f: Field): JudgeProvider {
  f.checkKeys([...SOURCE_KEYS, 'lookback', 'step', 'metrics', 'classifier', 'scoreThresholds'], 'the judge provider');
  const metrics: JudgeMetricSpec[] = [];
  const list = f.get('metrics').list({ required: true, hint: 'list the metrics to judge, each with a name and a query' });
  if (f.get('metrics').present && list.length === 0) f.get('metrics').error('missing-field', 'must list at least one metric');
  const names = new Set<string>();
  for (const item of list) {
    const m = readJudgeMetric(item);
    if (!m) continue;
    if (names.has(m.config.name)) item.get('name').error('duplicate-name', `metric "${m.config.name}" is listed twice`);
    names.add(m.config.name);
    metrics.push(m);
  }
  const weights: Record<string, number> = {};
  const gw = f.get('classifier').get('groupWeights');
  for (const g of gw.keys()) {
    const w = gw.get(g).number({ min: 0, max: 100 });
    if (w !== undefined) weights[g] = w;
  }
  if (Object.values(weights).reduce((s, w) => s + w, 0) > 100) gw.error('out-of-range', 'group weights add up to more than 100', 'weights are percentages of the score');
  const st = f.get('scoreThresholds');
  const scoreThresholds = { pass: st.get('pass').number({ min: 0, max: 100 }) ?? 95, marginal: st.get('marginal').number({ min: 0, max: 100 }) ?? 75 };
  if (scoreThresholds.marginal > scoreThresholds.pass) st.get('marginal').error('out-of-range', `marginal ${scoreThresholds.marginal} is above pass ${scoreThresholds.pass}`);
  return {
    type: 'judge',
    ...readSource(f),
    lookbackSeconds: readDurationSeconds(f.get('lookback'), 300),
    stepSeconds: readDurationSeconds(f.get('step'), 10),
    metrics,
    groupWeights: weights,
    scoreThresholds,
  };
}

/** Reads `provider.sequential`. */
export function readSequentialProvider(f: Field): SequentialProvider {
  f.checkKeys([...SOURCE_KEYS, 'alpha', 'tests'], 'the sequential provider');
  const alpha = f.get('alpha').number() ?? 0.01;
  if (!(alpha > 0 && alpha < 0.5)) f.get('alpha').error('out-of-range', `${alpha} is not a false-abort rate between 0 and 0.5`, 'e.g. 0.01: at most 1 good release in 100 aborted');
  const tests: SequentialTestSpec[] = [];
  const list = f.get('tests').list({ required: true, hint: 'list the counters to test, each with a name, events and total' });
  if (f.get('tests').present && list.length === 0) f.get('tests').error('missing-field', 'must list at least one test');
  const names = new Set<string>();
  for (const item of list) {
    item.checkKeys(['name', 'events', 'total'], 'a sequential test');
    const name = item.get('name').string({ required: true }) ?? '';
    if (names.has(name)) item.get('name').error('duplicate-name', `test "${name}" is listed twice`);
    names.add(name);
    tests.push({ name, events: readRoleQuery(item.get('events')) ?? '', total: readRoleQuery(item.get('total')) ?? '' });
  }
  return { type: 'sequential', ...readSource(f), alpha: alpha > 0 && alpha < 0.5 ? alpha : 0.01, tests };
}
