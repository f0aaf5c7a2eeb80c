/**
 * `spec.strategy.canary`: services, surge limits, delays and the checks of Argo's
 * `ValidateRolloutStrategyCanary` (`pkg/apis/rollouts/validation/validation.go`), worded as Argo
 * words them. Steps live in `canary-steps.ts`, traffic routing in `traffic-routing.ts`.
 */
import type { CanaryStep, CanaryStrategy } from './types.js';
import {
  DEFAULT_ABORT_SCALE_DOWN_DELAY_SECONDS,
  DEFAULT_MAX_SURGE,
  DEFAULT_MAX_TRAFFIC_WEIGHT,
  DEFAULT_MAX_UNAVAILABLE,
  DEFAULT_SCALE_DOWN_DELAY_SECONDS,
} from './defaults.js';
import type { Field } from './fields.js';
import { readStep, type StepContext } from './canary-steps.js';
import { readRolloutAnalysis, type AnalysisUse } from './rollout-analysis.js';
import { readTrafficRouting, type CanaryRefs } from './traffic-routing.js';

export type { CanaryRefs, VirtualServiceUse } from './traffic-routing.js';

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
  // Baton extension (docs/release-safety.md#baseline).
  'baseline',
];



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

/** `canaryMetadata` and the like: labels and annotations. */
export function readMetadata(f: Field): { labels: Record<string, string>; annotations: Record<string, string> } | undefined {
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
  const baseline = f.get('baseline');
  if (baseline.object()) {
    baseline.checkKeys(['enabled'], 'spec.strategy.canary.baseline');
    strategy.baseline = { enabled: baseline.get('enabled').bool(true) };
  }
  if (f.get('pingPong').present) f.get('pingPong').warning('unsupported', 'pingPong is not supported by Baton');
  return strategy;
}
