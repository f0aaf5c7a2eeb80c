/**
 * A traffic router that only remembers what it was asked: `baton simulate` and engine tests.
 */
import { applyTrafficEffect, emptyRouting } from '../../../core/routing/apply-effect.js';
import type { RolloutRouting } from '../../../core/routing/gateway-config.js';
import type { Rollout } from '../../../core/spec/types.js';
import type { TrafficEffect, TrafficRouter } from '../../../ports/traffic-router.js';

export interface MemoryTrafficRouter extends TrafficRouter {
  /** The routing a rollout has asked for so far. */
  routing(rollout: string): RolloutRouting;
  /** Every effect applied, in order. */
  applied(rollout: string): TrafficEffect[];
}

export function createMemoryTrafficRouter(): MemoryTrafficRouter {
  const routing = new Map<string, RolloutRouting>();
  const applied = new Map<string, TrafficEffect[]>();
  return {
    routing: (name) => routing.get(name) ?? emptyRouting(name),
    applied: (name) => applied.get(name) ?? [],
    apply(rollout: Rollout, effect: TrafficEffect) {
      const name = rollout.metadata.name;
      routing.set(name, applyTrafficEffect(routing.get(name) ?? emptyRouting(name), effect));
      applied.set(name, [...(applied.get(name) ?? []), effect]);
      return Promise.resolve();
    },
  };
}
