/**
 * Replica arithmetic for canaries, after Argo Rollouts' `utils/replicaset/canary.go`
 * (`CalculateReplicaCountsForBasicCanary`, `approximateWeightedCanaryStableReplicaCounts`,
 * `CalculateReplicaCountsForTrafficRoutedCanary`) and `utils/replicaset/replicaset.go`
 * (`MaxSurge`, `MaxUnavailable`). Pure functions of counts, so they are table-tested.
 */
import type { IntOrString } from '../spec/types.js';

/**
 * An int or a percentage of `total`, as `intstr.GetScaledValueFromIntOrPercent`.
 * Worked example: "25%" of 10 is 2.5 -> 3 rounding up (maxSurge), 2 rounding down (maxUnavailable).
 */
export function scaledValue(value: IntOrString, total: number, roundUp: boolean): number {
  if (typeof value === 'number') return value;
  const s = value.trim();
  const m = /^(\d+)%$/.exec(s);
  if (m) {
    const exact = (Number(m[1]) * total) / 100;
    return roundUp ? Math.ceil(exact) : Math.floor(exact);
  }
  return Number.parseInt(s, 10) || 0;
}

/**
 * Argo's `resolveFenceposts`: maxSurge rounds up, maxUnavailable rounds down; when both come out
 * 0 (validation forbids writing both as 0, but rounding can), maxUnavailable becomes 1 so the
 * rollout can always move.
 */
export function resolveFenceposts(maxSurge: IntOrString, maxUnavailable: IntOrString, replicas: number): { maxSurge: number; maxUnavailable: number } {
  const surge = scaledValue(maxSurge, replicas, true);
  let unavailable = scaledValue(maxUnavailable, replicas, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { maxSurge: surge, maxUnavailable: Math.min(unavailable, replicas) };
}

/** One ReplicaSet as the arithmetic sees it: its desired count and its available pods. */
export interface ReplicaSetCounts {
  /** `spec.replicas`: what Baton last asked for. */
  replicas: number;
  available: number;
}

/**
 * Argo's `approximateWeightedCanaryStableReplicaCounts`: the (canary, total) pair closest to the
 * weight among ceil/floor x {replicas, replicas + 1 when surging is allowed}; on a tie the first
 * option (rounding up) wins; with a weight of 1..99 and two or more pods, never 0 canaries.
 * Worked example: 10 replicas, weight 41, no surge -> options 5/10 (50 %) and 4/10 (40 %) ->
 * 4 canaries, 6 stable.
 */
export function approximateCanaryStableCounts(replicas: number, weight: number, maxSurge: number): { canary: number; stable: number } {
  if (replicas === 0) return { canary: 0, stable: 0 };
  const ceil = Math.ceil((replicas * weight) / 100);
  const floor = Math.floor((replicas * weight) / 100);
  const tied = floorCeilingTied(weight, replicas);
  const zeroAllowed = weight === 100 || weight === 0 || (replicas === 1 && maxSurge === 0);
  const options: { canary: number; total: number }[] = [];
  if (ceil < replicas || zeroAllowed) options.push({ canary: ceil, total: replicas });
  if (!tied && (floor !== 0 || zeroAllowed)) options.push({ canary: floor, total: replicas });
  if (maxSurge > 0) {
    options.push({ canary: ceil, total: replicas + 1 });
    if (!floorCeilingTied(weight, replicas + 1) && (floor !== 0 || zeroAllowed)) options.push({ canary: floor, total: replicas + 1 });
  }
  const first = options[0];
  if (!first) return { canary: 0, stable: replicas };
  let best = first;
  let bestDelta = weightDelta(weight, best.canary, best.total);
  for (const option of options.slice(1)) {
    const delta = weightDelta(weight, option.canary, option.total);
    if (delta < bestDelta) {
      best = option;
      bestDelta = delta;
    }
  }
  return { canary: best.canary, stable: best.total - best.canary };
}

function floorCeilingTied(weight: number, total: number): boolean {
  const x = total * (weight / 100);
  return x - Math.trunc(x) === 0.5;
}

function weightDelta(weight: number, canary: number, total: number): number {
  return Math.abs((canary * 100) / total - weight);
}

export interface BasicCanaryInput {
  /** `spec.replicas`. */
  replicas: number;
  /** The desired canary weight (`GetCanaryReplicasOrWeight`). */
  weight: number;
  maxSurge: IntOrString;
  maxUnavailable: IntOrString;
  /** The ReplicaSet of the current template; undefined before it exists. */
  newRS?: ReplicaSetCounts;
  /** The stable ReplicaSet when it exists and differs from the new one. */
  stableRS?: ReplicaSetCounts;
  /** Every other ReplicaSet. */
  otherRSs: ReplicaSetCounts[];
}

/**
 * Argo's `CalculateReplicaCountsForBasicCanary`: the next canary and stable counts, moving toward
 * the weight's approximation without going over `replicas + maxSurge` pods or under
 * `replicas - maxUnavailable` available ones; the stable scales up before the canary, old
 * ReplicaSets scale down before either.
 */
export function calculateBasicCanaryReplicas(input: BasicCanaryInput): { canary: number; stable: number } {
  const { replicas, newRS, stableRS, otherRSs } = input;
  const { maxSurge, maxUnavailable } = resolveFenceposts(input.maxSurge, input.maxUnavailable, replicas);
  let { canary: desiredNew, stable: desiredStable } = approximateCanaryStableCounts(replicas, input.weight, maxSurge);

  let newCount = newRS?.replicas ?? 0;
  let stableCount = 0;
  if (stableRS) {
    stableCount = stableRS.replicas;
  } else {
    // No stable (or it is the new one): no steps, the new ReplicaSet goes to 100 %.
    desiredNew = replicas;
    desiredStable = 0;
  }

  const maxAllowed = replicas + maxSurge;
  const total = sum(otherRSs.map((r) => r.replicas)) + (newRS?.replicas ?? 0) + (stableRS?.replicas ?? 0);
  let scaleUp = maxAllowed - total;

  if (stableRS && stableRS.replicas < desiredStable && scaleUp > 0) {
    if (stableRS.replicas + scaleUp < desiredStable) {
      stableCount = stableRS.replicas + scaleUp;
      scaleUp = 0;
    } else {
      stableCount = desiredStable;
      scaleUp -= desiredStable - stableRS.replicas;
    }
  }
  if (newRS && newRS.replicas < desiredNew && scaleUp > 0) {
    newCount = newRS.replicas + scaleUp < desiredNew ? newRS.replicas + scaleUp : desiredNew;
  }

  // Older ReplicaSets scale down first, before the new or stable one.
  if (sum(otherRSs.map((r) => r.replicas)) > 0) return { canary: newCount, stable: stableCount };

  const minAvailable = replicas - maxUnavailable;
  // Increasing the canary: the stable's availability can be ignored; decreasing (abort): the canary's.
  const isIncreasing = !newRS || desiredNew >= newRS.replicas;
  const toScaleDown = replicasForScaleDown(newRS, !isIncreasing) + replicasForScaleDown(stableRS, isIncreasing);
  if (toScaleDown <= minAvailable) return { canary: newCount, stable: stableCount };

  const scaleDown = toScaleDown - minAvailable;
  if (!isIncreasing) {
    newCount = scaleDownCount(newRS, desiredNew, scaleDown, newCount);
    [newCount, stableCount] = adjustWithinLimits(newRS, stableRS, newCount, stableCount, maxAllowed, minAvailable);
  } else if (stableRS) {
    stableCount = scaleDownCount(stableRS, desiredStable, scaleDown, stableCount);
    [stableCount, newCount] = adjustWithinLimits(stableRS, newRS, stableCount, newCount, maxAllowed, minAvailable);
  }
  return { canary: newCount, stable: stableCount };
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

/** Argo's `GetReplicasForScaleDown`. */
function replicasForScaleDown(rs: ReplicaSetCounts | undefined, ignoreAvailability: boolean): number {
  if (!rs) return 0;
  if (rs.replicas < rs.available) return rs.replicas;
  return ignoreAvailability ? rs.replicas : rs.available;
}

/** Argo's `calculateScaleDownReplicaCount`. */
function scaleDownCount(rs: ReplicaSetCounts | undefined, desired: number, scaleDown: number, current: number): number {
  if (rs && rs.replicas > desired) return Math.max(desired, rs.replicas - scaleDown);
  return current;
}

/** Argo's `adjustReplicaWithinLimits`: keep within maxSurge, give availability back to `adjust`. */
function adjustWithinLimits(
  drain: ReplicaSetCounts | undefined,
  adjust: ReplicaSetCounts | undefined,
  drainCount: number,
  adjustCount: number,
  maxAllowed: number,
  minAvailable: number,
): [number, number] {
  let overLimit = Math.max(0, adjustCount + drainCount - maxAllowed);
  let totalAvailable = drain ? Math.min(drain.available, drainCount) : 0;
  if (adjust) {
    adjustCount -= overLimit;
    totalAvailable += Math.min(adjust.available, adjustCount);
    const extraAvailable = Math.max(0, adjust.available - adjustCount);
    const moreNeeded = Math.max(0, minAvailable - totalAvailable);
    adjustCount += Math.min(extraAvailable, moreNeeded);
    overLimit = Math.max(0, adjustCount + drainCount - maxAllowed);
    drainCount -= overLimit;
  }
  return [drainCount, adjustCount];
}

/**
 * `trafficWeightToReplicas`: ceil(weight * replicas / maxWeight). 10 of 100 on 2 replicas -> 1;
 * 200 of 1000 (nginx `maxTrafficWeight: 1000`) on 5 -> 1.
 */
export function trafficWeightToReplicas(replicas: number, weight: number, maxWeight = 100): number {
  return Math.ceil((weight * replicas) / maxWeight);
}

export interface TrafficRoutedInput {
  replicas: number;
  weight: number;
  /** From a `setCanaryScale: {replicas}` in force. */
  canaryReplicas?: number;
  dynamicStableScale: boolean;
  minPodsPerReplicaSet?: number;
  /** The weights the router has now (dynamicStableScale). */
  actual?: { canary: number; stable: number };
  aborted: boolean;
  /** `trafficRouting.maxTrafficWeight` (default 100): the scale weights are given on. */
  maxWeight?: number;
}

/**
 * Argo's `CalculateReplicaCountsForTrafficRoutedCanary`: canary = ceil(weight * replicas / 100)
 * (or the setCanaryScale count); stable stays at `replicas`, or with dynamicStableScale follows
 * the higher of the desired and the actual stable weight.
 */
export function calculateTrafficRoutedReplicas(input: TrafficRoutedInput): { canary: number; stable: number } {
  const minPods = (n: number): number => (n === 0 || input.minPodsPerReplicaSet === undefined ? n : Math.max(n, input.minPodsPerReplicaSet));
  const max = input.maxWeight ?? 100;
  let canary = input.canaryReplicas ?? minPods(trafficWeightToReplicas(input.replicas, input.weight, max));
  if (!input.dynamicStableScale) return { canary, stable: input.replicas };
  let stable = trafficWeightToReplicas(input.replicas, max - input.weight, max);
  if (input.actual) {
    stable = Math.max(stable, trafficWeightToReplicas(input.replicas, input.actual.stable, max));
    // Aborting: the canary keeps what its current traffic needs until traffic has moved back.
    if (input.aborted) canary = Math.max(canary, trafficWeightToReplicas(input.replicas, input.actual.canary, max));
  }
  return { canary: minPods(canary), stable: minPods(stable) };
}
