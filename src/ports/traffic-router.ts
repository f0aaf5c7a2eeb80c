import type { TrafficEffect } from '../core/routing/apply-effect.js';
import type { Rollout } from '../core/spec/types.js';

/** The traffic effects the rollout core decides; everything a router must carry out. */
export type { TrafficEffect };

/**
 * Moves traffic: Baton's gateway on one machine, Istio VirtualServices on Kubernetes, a record
 * of what was asked in `baton simulate`. Applying the same effect twice is harmless.
 */
export interface TrafficRouter {
  apply(rollout: Rollout, effect: TrafficEffect): Promise<void>;
}
