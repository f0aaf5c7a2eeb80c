/**
 * Canary steps (`spec.strategy.canary.steps[]`), each with exactly one kind, checked as Argo's
 * `ValidateRolloutStrategyCanary` checks them (`pkg/apis/rollouts/validation/validation.go`) and
 * worded as Argo words them, so a message can be searched for in Argo's docs and issues.
 */
import type { CanaryStep, HeaderRoutingMatch, RouteMatch, TrafficRouting } from './types.js';
import { DEFAULT_MIRROR_PERCENTAGE } from './defaults.js';
import { parseGoDuration } from './duration.js';
import { describeValue, type Field } from './fields.js';
import { readStringMatch } from './istio.js';
import { readExperimentStep } from './experiment-step.js';
import { readRolloutAnalysis, type AnalysisUse } from './rollout-analysis.js';

const STEP_KINDS = ['setWeight', 'pause', 'analysis', 'experiment', 'setCanaryScale', 'setHeaderRoute', 'setMirrorRoute', 'plugin'] as const;
type StepKey = (typeof STEP_KINDS)[number];

const INVALID_STEP = 'Step must have one of the following set: experiment, setWeight, setCanaryScale or pause';


/**
 * `pause.duration`: an int or numeric string (seconds) or a Go duration. Argo's
 * `RolloutPause.DurationSeconds` truncates to whole seconds and treats a negative one as invalid.
 */
function readPauseDuration(f: Field): number | undefined {
  if (!f.present) return undefined;
  const v = f.value;
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) return f.error('invalid-duration', `${v} is not a whole number of seconds`, 'use 30s, 1m, 1h'), undefined;
    if (v < 0) return f.error('invalid-duration', 'Duration needs to be greater than 0'), undefined;
    return v;
  }
  if (typeof v !== 'string') return f.error('invalid-type', `expected a duration, got ${describeValue(v)}`, 'use 30s, 1m, 1h'), undefined;
  const text = v.trim();
  if (/^-?\d+$/.test(text)) {
    const n = Number(text);
    if (n < 0) return f.error('invalid-duration', 'Duration needs to be greater than 0'), undefined;
    return n;
  }
  const ms = parseGoDuration(text);
  if (ms === undefined) return f.error('invalid-duration', `"${v}" is not a duration`, 'use 30s, 1m, 1h'), undefined;
  if (ms < 0) return f.error('invalid-duration', 'Duration needs to be greater than 0'), undefined;
  return Math.trunc(ms / 1000);
}

function readHeaderMatches(f: Field): HeaderRoutingMatch[] | undefined {
  if (!f.present) return undefined;
  return f.list().map((m) => ({
    headerName: m.get('headerName').string({ required: true }) ?? '',
    headerValue: readStringMatch(m.get('headerValue')) ?? (m.get('headerValue').error('invalid-match', 'StringMatch value missed, match value must have one of the following: exact, regex, prefix'), {}),
  }));
}

function readRouteMatches(f: Field): RouteMatch[] | undefined {
  if (!f.present) return undefined;
  return f.list().map((m) => {
    const out: RouteMatch = {};
    const method = readStringMatch(m.get('method'));
    if (method) out.method = method;
    const path = readStringMatch(m.get('path'));
    if (path) out.path = path;
    const headers = m.get('headers');
    if (headers.object()) {
      out.headers = {};
      for (const k of headers.keys()) {
        const sm = readStringMatch(headers.get(k));
        if (sm) out.headers[k] = sm;
      }
    }
    return out;
  });
}

/** What a step needs to know about the strategy around it. */
export interface StepContext {
  maxWeight: number;
  trafficRouting: TrafficRouting | undefined;
  managedRoutesWritten: boolean;
  uses: AnalysisUse[];
}

/** Reads one step; undefined when it is invalid (reported). */
export function readStep(f: Field, ctx: StepContext): CanaryStep | undefined {
  if (!f.object({ required: true })) return undefined;
  const kinds = STEP_KINDS.filter((k) => f.get(k).present);
  f.checkKeys(STEP_KINDS, 'a canary step');
  if (kinds.length === 0) {
    const nullPause = f.keys().includes('pause');
    f.error('invalid-step', INVALID_STEP, nullPause ? 'write pause: {} for a pause until promoted' : 'a step is one of setWeight, pause, analysis, setCanaryScale, setHeaderRoute, setMirrorRoute');
    return undefined;
  }
  if (kinds.length > 1) {
    f.error('invalid-step', `${INVALID_STEP}; this step has ${kinds.join(' and ')}`, 'split it into one step per kind');
    return undefined;
  }
  const kind = kinds[0] as StepKey;
  const body = f.get(kind);
  const routed = ctx.trafficRouting !== undefined;
  switch (kind) {
    case 'setWeight': {
      const w = body.value;
      if (typeof w !== 'number' || !Number.isInteger(w)) return body.error('invalid-type', `expected an integer, got ${describeValue(w)}`), undefined;
      if (w < 0 || w > ctx.maxWeight) return body.error('invalid-weight', `SetWeight needs to be between 0 and ${ctx.maxWeight}`, `${w} is out of range`), undefined;
      return { kind, weight: w };
    }
    case 'pause': {
      if (!body.object()) return undefined;
      const durationField = body.get('duration');
      if (!durationField.present) return { kind };
      const duration = readPauseDuration(durationField);
      return duration === undefined ? undefined : { kind, duration };
    }
    case 'analysis': {
      const analysis = readRolloutAnalysis(body, 'Step', ctx.uses);
      return analysis ? { kind, analysis } : undefined;
    }
    case 'setCanaryScale': {
      if (!body.object()) return undefined;
      if (!routed) body.error('needs-traffic-routing', 'SetCanaryScale requires TrafficRouting to be set', 'add spec.strategy.canary.trafficRouting');
      const step: CanaryStep = { kind, matchTrafficWeight: body.get('matchTrafficWeight').bool(false) };
      const replicas = body.get('replicas').int({ min: 0 });
      if (replicas !== undefined) step.replicas = replicas;
      const weight = body.get('weight').int({ min: 0, max: 100 });
      if (weight !== undefined) step.weight = weight;
      return step;
    }
    case 'setHeaderRoute': {
      if (!body.object()) return undefined;
      if (!ctx.trafficRouting?.istio) {
        body.error('needs-traffic-routing', 'SetHeaderRoute requires TrafficRouting, supports Istio and ALB and Apisix', 'Baton routes headers through trafficRouting.istio');
      }
      const name = body.get('name').string({ required: true }) ?? '';
      checkManagedRoute(body, name, ctx);
      const step: CanaryStep = { kind, name };
      const match = readHeaderMatches(body.get('match'));
      if (match) step.match = match;
      return step;
    }
    case 'setMirrorRoute': {
      if (!body.object()) return undefined;
      if (!ctx.trafficRouting?.istio) body.error('needs-traffic-routing', 'SetMirrorRoute requires TrafficRouting, supports Istio only');
      const name = body.get('name').string({ required: true }) ?? '';
      checkManagedRoute(body, name, ctx);
      const step: CanaryStep = { kind, name, percentage: body.get('percentage').int({ min: 0, max: 100 }) ?? DEFAULT_MIRROR_PERCENTAGE };
      const match = readRouteMatches(body.get('match'));
      if (match) step.match = match;
      return step;
    }
    case 'experiment': {
      const experiment = readExperimentStep(body, ctx.trafficRouting, ctx.maxWeight, ctx.uses);
      return experiment ? { kind, experiment } : undefined;
    }
    case 'plugin':
      body.warning('unsupported-step', `${kind} steps are not supported by Baton`, 'Baton skips this step');
      return { kind, raw: body.object() ?? {} };
    default: {
      const never: never = kind;
      return never;
    }
  }
}

function checkManagedRoute(body: Field, name: string, ctx: StepContext): void {
  if (!ctx.trafficRouting) return;
  if (!ctx.managedRoutesWritten) {
    body.error(
      'missing-managed-routes',
      "Rollout has missing field 'spec.strategy.canary.trafficRouting.managedRoutes'",
      `add managedRoutes: [{name: ${name || '<route>'}}] under trafficRouting`,
    );
  } else if (name && !ctx.trafficRouting.managedRoutes.includes(name)) {
    body.get('name').error(
      'unmanaged-route',
      'Steps define a route that does not exist in spec.strategy.canary.trafficRouting.managedRoutes',
      `add {name: ${name}} to managedRoutes`,
    );
  }
}
