/**
 * `spec.strategy.canary`: steps, traffic routing and the checks of Argo's
 * `ValidateRolloutStrategyCanary` (`pkg/apis/rollouts/validation/validation.go`), worded as Argo
 * words them so a message can be searched for in Argo's docs and issues.
 */
import type {
  CanaryStep,
  CanaryStrategy,
  HeaderRoutingMatch,
  IstioTrafficRouting,
  RouteMatch,
  TrafficRouting,
} from './types.js';
import {
  DEFAULT_ABORT_SCALE_DOWN_DELAY_SECONDS,
  DEFAULT_MAX_SURGE,
  DEFAULT_MAX_TRAFFIC_WEIGHT,
  DEFAULT_MAX_UNAVAILABLE,
  DEFAULT_MIRROR_PERCENTAGE,
  DEFAULT_SCALE_DOWN_DELAY_SECONDS,
} from './defaults.js';
import { parseGoDuration } from './duration.js';
import { describeValue, type Field } from './fields.js';
import { readStringMatch } from './istio.js';
import { readRolloutAnalysis, type AnalysisUse } from './rollout-analysis.js';
import type { FieldPath } from './yaml-positions.js';

const STEP_KINDS = ['setWeight', 'pause', 'analysis', 'experiment', 'setCanaryScale', 'setHeaderRoute', 'setMirrorRoute', 'plugin'] as const;
type StepKey = (typeof STEP_KINDS)[number];

const INVALID_STEP = 'Step must have one of the following set: experiment, setWeight, setCanaryScale or pause';

const CANARY_KEYS = [
  'canaryService',
  'stableService',
  'steps',
  'analysis',
  'trafficRouting',
  'maxSurge',
  'maxUnavailable',
  'scaleDownDelaySeconds',
  'scaleDownDelayRevisionLimit',
  'abortScaleDownDelaySeconds',
  'dynamicStableScale',
  'minPodsPerReplicaSet',
  'canaryMetadata',
  'stableMetadata',
  'antiAffinity',
  'pingPong',
  'replicaProgressThreshold',
];

/** A VirtualService the canary routes through, with where its name was written. */
export interface VirtualServiceUse {
  name: string;
  routes: string[];
  path: FieldPath;
}

export interface CanaryRefs {
  virtualServices: VirtualServiceUse[];
  destinationRulePath?: FieldPath;
}

/**
 * IntOrString as a replica amount: an integer, or "N%". Returns its value (the percentage or
 * the count), or undefined when malformed (reported).
 */
export function readIntOrPercent(f: Field, fallback: string): { value: number | string; amount: number } {
  const v = f.intOrString();
  if (v === undefined) return { value: fallback, amount: parseInt(fallback, 10) };
  if (typeof v === 'number') {
    if (v < 0) f.error('out-of-range', `${v} must not be negative`);
    return { value: v, amount: v };
  }
  const m = /^(\d+)%$/.exec(v.trim());
  if (!m) {
    f.error('invalid-value', `"${v}" is not an integer or a percentage`, 'write 1 or "25%"');
    return { value: fallback, amount: parseInt(fallback, 10) };
  }
  return { value: v, amount: Number(m[1]) };
}

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

interface StepContext {
  maxWeight: number;
  trafficRouting: TrafficRouting | undefined;
  managedRoutesWritten: boolean;
  uses: AnalysisUse[];
}

function readStep(f: Field, ctx: StepContext): CanaryStep | undefined {
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
    case 'experiment':
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

function readTrafficRouting(f: Field, refs: CanaryRefs): TrafficRouting | undefined {
  if (!f.object()) return undefined;
  const tr: TrafficRouting = {
    other: {},
    managedRoutes: f
      .get('managedRoutes')
      .list()
      .map((r) => r.get('name').string({ required: true }) ?? ''),
    maxTrafficWeight: f.get('maxTrafficWeight').int({ min: 1 }) ?? DEFAULT_MAX_TRAFFIC_WEIGHT,
  };
  for (const key of f.keys()) {
    if (key === 'istio' || key === 'managedRoutes' || key === 'maxTrafficWeight') continue;
    tr.other[key] = f.get(key).value;
    f.get(key).warning('unsupported-traffic-router', `traffic router "${key}" is not supported by Baton`, 'Baton routes through trafficRouting.istio');
  }
  if (f.get('maxTrafficWeight').present) {
    f.get('maxTrafficWeight').error('invalid-value', 'Canary maxTrafficWeight in traffic routing only support in Nginx and Plugins');
  }
  const istio = f.get('istio');
  if (istio.object()) {
    const ir: IstioTrafficRouting = { virtualServices: [] };
    const single = istio.get('virtualService');
    const multi = istio.get('virtualServices');
    if (single.present === multi.present) {
      istio.error('invalid-istio', 'either VirtualService or VirtualServices must be configured', 'set virtualService: {name: ...}');
    }
    const entries = single.present ? [single] : multi.list();
    for (const vs of entries) {
      if (!vs.object()) continue;
      const name = vs.get('name').string({ required: true });
      if (name === undefined) continue;
      const routes = vs.get('routes').stringList();
      ir.virtualServices.push({ name, routes, tlsRoutes: vs.get('tlsRoutes').list().map((x) => x.value), tcpRoutes: vs.get('tcpRoutes').list().map((x) => x.value) });
      refs.virtualServices.push({ name, routes, path: [...vs.path, 'name'] });
    }
    const dr = istio.get('destinationRule');
    if (dr.object()) {
      ir.destinationRule = {
        name: dr.get('name').string({ required: true }) ?? '',
        canarySubsetName: dr.get('canarySubsetName').string({ required: true }) ?? '',
        stableSubsetName: dr.get('stableSubsetName').string({ required: true }) ?? '',
      };
      refs.destinationRulePath = [...dr.path, 'name'];
    }
    tr.istio = ir;
  }
  return tr;
}

function readMetadata(f: Field): { labels: Record<string, string>; annotations: Record<string, string> } | undefined {
  if (!f.object()) return undefined;
  return { labels: f.get('labels').stringMap(), annotations: f.get('annotations').stringMap() };
}

/** Reads `spec.strategy.canary`; `revisionHistoryLimit` bounds `scaleDownDelayRevisionLimit`. */
export function readCanary(f: Field, revisionHistoryLimit: number, uses: AnalysisUse[], refs: CanaryRefs): CanaryStrategy {
  f.checkKeys(CANARY_KEYS, 'spec.strategy.canary');
  const trafficRouting = readTrafficRouting(f.get('trafficRouting'), refs);
  const canaryService = f.get('canaryService').string();
  const stableService = f.get('stableService').string();
  if (canaryService && stableService && canaryService === stableService) {
    f.get('stableService').error(
      'duplicate-service',
      'This rollout uses the same service for the stable and canary services, but two different services are required.',
    );
  }
  // Argo `requireCanaryStableServices`: Istio host-level splitting (no destinationRule) and the
  // other routers need both services.
  const needServices = trafficRouting !== undefined && (trafficRouting.istio ? !trafficRouting.istio.destinationRule : Object.keys(trafficRouting.other).length > 0);
  if (needServices) {
    for (const [key, value] of [['stableService', stableService], ['canaryService', canaryService]] as const) {
      if (!value) f.get(key).error('missing-service', 'Canary service and Stable service must to be set to use Traffic Routing', `add ${key}: <Service name>`);
    }
  }

  const maxSurge = readIntOrPercent(f.get('maxSurge'), DEFAULT_MAX_SURGE);
  const maxUnavailable = readIntOrPercent(f.get('maxUnavailable'), DEFAULT_MAX_UNAVAILABLE);
  if (maxSurge.amount === 0 && maxUnavailable.amount === 0) {
    f.get('maxSurge').error('invalid-surge', 'MaxSurge and MaxUnavailable both can not be zero', 'let one of them be above 0');
  }

  const dynamicStableScale = f.get('dynamicStableScale').bool(false);
  const sdd = f.get('scaleDownDelaySeconds');
  const scaleDownDelaySeconds = sdd.int({ min: 0 });
  if (!trafficRouting) {
    if (sdd.present) sdd.error('needs-traffic-routing', 'Canary scaleDownDelaySeconds can only be used with traffic routing');
    if (dynamicStableScale) f.get('dynamicStableScale').error('needs-traffic-routing', 'Canary dynamicStableScale can only be used with traffic routing');
  } else if (sdd.present && dynamicStableScale) {
    f.get('dynamicStableScale').error('invalid-value', 'Canary dynamicStableScale cannot be used with scaleDownDelaySeconds');
  }

  const ctx: StepContext = {
    maxWeight: trafficRouting?.maxTrafficWeight ?? DEFAULT_MAX_TRAFFIC_WEIGHT,
    trafficRouting,
    managedRoutesWritten: f.get('trafficRouting').get('managedRoutes').present,
    uses,
  };
  const steps: CanaryStep[] = [];
  const stepFields = f.get('steps').list();
  for (const sf of stepFields) {
    const step = readStep(sf, ctx);
    if (step) steps.push(step);
  }

  const strategy: CanaryStrategy = {
    type: 'canary',
    steps,
    maxSurge: maxSurge.value,
    maxUnavailable: maxUnavailable.value,
    // Argo applies the 30 s delay to traffic-routed canaries only; basic canaries ignore it.
    scaleDownDelaySeconds: scaleDownDelaySeconds ?? DEFAULT_SCALE_DOWN_DELAY_SECONDS,
    abortScaleDownDelaySeconds: f.get('abortScaleDownDelaySeconds').int({ min: 0 }) ?? DEFAULT_ABORT_SCALE_DOWN_DELAY_SECONDS,
    dynamicStableScale,
  };
  if (canaryService) strategy.canaryService = canaryService;
  if (stableService) strategy.stableService = stableService;
  if (trafficRouting) strategy.trafficRouting = trafficRouting;
  const bg = f.get('analysis');
  const analysis = readRolloutAnalysis(bg, 'Background', uses);
  if (analysis) strategy.analysis = { ...analysis, startingStep: bg.get('startingStep').int({ min: 0, max: stepFields.length }) ?? 0 };
  const limit = f.get('scaleDownDelayRevisionLimit').int({ min: 0 });
  if (limit !== undefined) {
    strategy.scaleDownDelayRevisionLimit = limit;
    if (revisionHistoryLimit < limit) {
      f.get('scaleDownDelayRevisionLimit').error('invalid-value', "This rollout's revision history limit can not be smaller than the rollout's scale down limit");
    }
  }
  const minPods = f.get('minPodsPerReplicaSet').int({ min: 1 });
  if (minPods !== undefined) strategy.minPodsPerReplicaSet = minPods;
  const cm = readMetadata(f.get('canaryMetadata'));
  if (cm) strategy.canaryMetadata = cm;
  const sm = readMetadata(f.get('stableMetadata'));
  if (sm) strategy.stableMetadata = sm;
  if (f.get('pingPong').present) f.get('pingPong').warning('unsupported', 'pingPong is not supported by Baton');
  return strategy;
}

export { readMetadata };
