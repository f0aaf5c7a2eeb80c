import { describe, expect, it } from 'vitest';
import {
  approximateCanaryStableCounts,
  calculateBasicCanaryReplicas,
  calculateTrafficRoutedReplicas,
  resolveFenceposts,
  scaledValue,
  trafficWeightToReplicas,
} from './replicas.js';

describe('approximateCanaryStableCounts', () => {
  // The vectors of argo-semantics.md: (replicas, weight, maxSurge) -> canary/stable.
  it.each([
    [10, 41, 0, 4, 6],
    [10, 20, 1, 2, 8],
    [10, 25, 1, 3, 8],
    [3, 50, 0, 2, 1],
    [1, 50, 0, 1, 0],
    [1, 50, 1, 1, 1],
    [2, 99, 0, 1, 1],
  ])('semantics page: replicas %i weight %i surge %i -> %i/%i', (replicas, weight, surge, canary, stable) => {
    expect(approximateCanaryStableCounts(replicas, weight, surge)).toEqual({ canary, stable });
  });

  // Argo's TestApproximateWeightedNewStableReplicaCounts (utils/replicaset/canary_test.go).
  it.each([
    [0, 0, 0, 0, 0], [0, 50, 0, 0, 0], [0, 100, 1, 0, 0],
    [1, 0, 0, 0, 1], [1, 1, 0, 0, 1], [1, 49, 0, 0, 1], [1, 50, 0, 1, 0], [1, 99, 0, 1, 0], [1, 100, 0, 1, 0],
    [1, 0, 1, 0, 1], [1, 1, 1, 1, 1], [1, 49, 1, 1, 1], [1, 99, 1, 1, 1], [1, 100, 1, 1, 0],
    [2, 0, 0, 0, 2], [2, 1, 0, 1, 1], [2, 50, 0, 1, 1], [2, 100, 0, 2, 0],
    [2, 0, 1, 0, 2], [2, 1, 1, 1, 2], [2, 50, 1, 1, 1], [2, 99, 1, 2, 1], [2, 100, 1, 2, 0],
    [3, 10, 0, 1, 2], [3, 25, 0, 1, 2], [3, 33, 0, 1, 2], [3, 34, 0, 1, 2], [3, 49, 0, 1, 2],
    [3, 10, 1, 1, 3], [3, 25, 1, 1, 3], [3, 33, 1, 1, 2], [3, 34, 1, 1, 2], [3, 49, 1, 2, 2], [3, 50, 1, 2, 2],
    [10, 1, 0, 1, 9], [10, 14, 0, 1, 9], [10, 15, 0, 2, 8], [10, 16, 0, 2, 8], [10, 99, 0, 9, 1], [10, 100, 1, 10, 0],
    [10, 0, 1, 0, 10], [10, 1, 1, 1, 10], [10, 18, 1, 2, 9], [10, 19, 1, 2, 9], [10, 23, 1, 2, 8], [10, 24, 1, 3, 8],
    [10, 99, 1, 10, 1],
  ])('Argo table: replicas %i weight %i surge %i -> %i/%i', (replicas, weight, surge, canary, stable) => {
    expect(approximateCanaryStableCounts(replicas, weight, surge)).toEqual({ canary, stable });
  });
});

describe('calculateBasicCanaryReplicas (Argo TestCalculateReplicaCountsForCanary)', () => {
  type Row = [name: string, replicas: number, weight: number, surge: number | string, unavailable: number | string,
    stable: [number, number], canary: [number, number], expectStable: number, expectCanary: number, older?: [number, number]];
  const rows: Row[] = [
    ['no extra RSs in scaleDownCount when spec < available', 10, 100, 3, 0, [7, 8], [6, 3], 7, 6],
    ['max surge int scales the canary up', 10, 20, 2, 0, [10, 10], [0, 0], 10, 2],
    ['max surge percentage scales the canary up', 10, 20, '20%', 0, [10, 10], [0, 0], 10, 2],
    ['extra stable replicas scale down', 10, 20, '20%', 0, [10, 10], [2, 2], 8, 2],
    ['never past max surge', 10, 30, 2, 0, [10, 10], [0, 0], 10, 2],
    ['max unavailable int scales the stable down', 10, 20, 0, 2, [10, 10], [0, 0], 8, 0],
    ['max unavailable percentage scales the stable down', 10, 20, 0, '20%', [10, 10], [0, 0], 8, 0],
    ['never past max unavailable', 10, 30, 0, 2, [10, 10], [0, 0], 8, 0],
    ['surge and unavailable together', 10, 50, 2, 1, [10, 10], [0, 0], 9, 2],
    ['weight 0 scales the canary to zero', 10, 0, 1, 1, [10, 10], [1, 1], 10, 0],
    ['weight 100 scales the stable to zero', 10, 100, 1, 1, [1, 1], [10, 10], 0, 10],
    ['a non-zero weight never gives 0 canaries', 1, 20, 1, 0, [1, 1], [0, 0], 1, 1],
    ['a non-100 weight never gives 0 stable', 1, 90, 1, 0, [1, 1], [0, 0], 1, 1],
    ['the stable scales up before the canary', 10, 30, 1, 0, [1, 1], [0, 0], 7, 1, [3, 3]],
    ['canary and stable scale down', 10, 30, 0, 3, [8, 5], [4, 4], 7, 3],
    ['stable and canary available', 10, 100, 1, 0, [10, 2], [10, 8], 2, 9],
    ['older RSs go first', 10, 30, 0, 1, [8, 6], [4, 2], 8, 4, [3, 3]],
    ['no rounding past maxSurge with an uneven weight', 10, 5, 0, 1, [10, 10], [0, 0], 9, 0],
    ['no rounding past maxSurge with an uneven weight (part 2)', 10, 5, 0, 1, [9, 9], [0, 0], 9, 1],
    ['maxUnavailable 1 when both percentages round to 0', 10, 10, '0%', '0%', [10, 10], [0, 0], 9, 0],
    ['maxSurge honoured while the stable is unavailable', 4, 100, 1, 0, [4, 1], [0, 0], 4, 1],
    ['down to maxUnavailable without exceeding maxSurge', 3, 99, 0, 2, [3, 3], [0, 0], 1, 0],
    ['down to maxUnavailable without exceeding maxSurge (part 2)', 3, 99, 0, 2, [1, 1], [0, 0], 1, 2],
    ['maxUnavailable honoured scaling the unavailable stable down', 4, 100, 1, 0, [4, 1], [1, 1], 3, 1],
    ['aborting: the canary stays until the stable has surged', 4, 0, 1, 0, [0, 0], [4, 4], 1, 4],
  ];
  it.each(rows)('%s', (_name, replicas, weight, surge, unavailable, stable, canary, expectStable, expectCanary, older) => {
    const result = calculateBasicCanaryReplicas({
      replicas,
      weight,
      maxSurge: surge,
      maxUnavailable: unavailable,
      stableRS: { replicas: stable[0], available: stable[1] },
      newRS: { replicas: canary[0], available: canary[1] },
      otherRSs: older ? [{ replicas: older[0], available: older[1] }] : [],
    });
    expect(result).toEqual({ stable: expectStable, canary: expectCanary });
  });

  it('without a stable the new ReplicaSet goes to 100 % (Argo TestCalculateReplicaCountsForCanaryStableRSdEdgeCases)', () => {
    expect(
      calculateBasicCanaryReplicas({ replicas: 10, weight: 10, maxSurge: 0, maxUnavailable: 1, newRS: { replicas: 9, available: 9 }, otherRSs: [] }),
    ).toEqual({ canary: 10, stable: 0 });
  });
});

describe('traffic-routed replicas', () => {
  it('rounds the canary up and keeps the stable full', () => {
    expect(calculateTrafficRoutedReplicas({ replicas: 10, weight: 10, dynamicStableScale: false, aborted: false })).toEqual({ canary: 1, stable: 10 });
    expect(calculateTrafficRoutedReplicas({ replicas: 2, weight: 10, dynamicStableScale: false, aborted: false })).toEqual({ canary: 1, stable: 2 });
  });

  it('uses setCanaryScale replicas as given', () => {
    expect(calculateTrafficRoutedReplicas({ replicas: 1, weight: 100, canaryReplicas: 9, dynamicStableScale: false, aborted: false })).toEqual({ canary: 9, stable: 1 });
  });

  // Argo's TestCalculateReplicaCountsForCanaryTrafficRoutingDynamicScale.
  it('dynamicStableScale: stable follows the higher of desired and actual stable weight', () => {
    expect(calculateTrafficRoutedReplicas({ replicas: 10, weight: 10, dynamicStableScale: true, actual: { canary: 10, stable: 90 }, aborted: false })).toEqual({ canary: 1, stable: 9 });
    expect(calculateTrafficRoutedReplicas({ replicas: 10, weight: 20, dynamicStableScale: true, actual: { canary: 10, stable: 90 }, aborted: false })).toEqual({ canary: 2, stable: 9 });
  });

  it('dynamicStableScale abort: the canary keeps what its traffic needs', () => {
    expect(calculateTrafficRoutedReplicas({ replicas: 10, weight: 0, dynamicStableScale: true, actual: { canary: 20, stable: 80 }, aborted: true })).toEqual({ canary: 2, stable: 10 });
    expect(calculateTrafficRoutedReplicas({ replicas: 10, weight: 0, dynamicStableScale: true, actual: { canary: 10, stable: 90 }, aborted: true })).toEqual({ canary: 1, stable: 10 });
  });

  it('minPodsPerReplicaSet raises non-zero counts', () => {
    expect(calculateTrafficRoutedReplicas({ replicas: 10, weight: 10, dynamicStableScale: false, minPodsPerReplicaSet: 2, aborted: false })).toEqual({ canary: 2, stable: 10 });
    expect(calculateTrafficRoutedReplicas({ replicas: 10, weight: 0, dynamicStableScale: false, minPodsPerReplicaSet: 2, aborted: false })).toEqual({ canary: 0, stable: 10 });
  });

  it('trafficWeightToReplicas rounds up (Argo TestTrafficWeightToReplicas)', () => {
    expect([0, 20, 25, 33, 99, 100].map((w) => trafficWeightToReplicas(10, w))).toEqual([0, 2, 3, 4, 10, 10]);
  });
});

describe('maxSurge / maxUnavailable', () => {
  it('percentages: surge rounds up, unavailable rounds down', () => {
    expect(scaledValue('25%', 10, true)).toBe(3);
    expect(scaledValue('25%', 10, false)).toBe(2);
    expect(resolveFenceposts('25%', '25%', 10)).toEqual({ maxSurge: 3, maxUnavailable: 2 });
    expect(resolveFenceposts('25%', '25%', 1)).toEqual({ maxSurge: 1, maxUnavailable: 0 });
  });

  it('both rounding to 0 leaves maxUnavailable 1', () => {
    expect(resolveFenceposts('0%', '10%', 5)).toEqual({ maxSurge: 0, maxUnavailable: 1 });
  });
});
