/**
 * A traffic router that only remembers what it was asked: `baton simulate` and engine tests.
 */
import type { Rollout } from '../../../core/spec/types.js';
import type { TrafficEffect, TrafficRouter } from '../../../ports/traffic-router.js';

export interface RecordedTraffic {
  canaryWeight: number;
  stableWeight: number;
  headerRoutes: Map<string, unknown>;
  mirrorRoutes: Map<string, unknown>;
  selectors: Map<string, string | undefined>;
  applied: TrafficEffect[];
}

export interface MemoryTrafficRouter extends TrafficRouter {
  state(rollout: string): RecordedTraffic;
}

export function createMemoryTrafficRouter(): MemoryTrafficRouter {
  const byRollout = new Map<string, RecordedTraffic>();
  const stateOf = (name: string): RecordedTraffic => {
    let s = byRollout.get(name);
    if (!s) {
      s = { canaryWeight: 0, stableWeight: 100, headerRoutes: new Map(), mirrorRoutes: new Map(), selectors: new Map(), applied: [] };
      byRollout.set(name, s);
    }
    return s;
  };
  return {
    state: stateOf,
    apply(rollout: Rollout, effect: TrafficEffect) {
      const s = stateOf(rollout.metadata.name);
      s.applied.push(effect);
      switch (effect.type) {
        case 'setWeight':
          s.canaryWeight = effect.canary;
          s.stableWeight = effect.stable;
          break;
        case 'setHeaderRoute':
          s.headerRoutes.set(effect.name, effect.match);
          break;
        case 'setMirrorRoute':
          s.mirrorRoutes.set(effect.name, { match: effect.match, percentage: effect.percentage });
          break;
        case 'removeManagedRoutes':
          for (const n of effect.names) {
            s.headerRoutes.delete(n);
            s.mirrorRoutes.delete(n);
          }
          break;
        case 'setServiceSelector':
          s.selectors.set(effect.service, effect.hash);
          break;
        default: {
          const never: never = effect;
          throw new Error(`unknown traffic effect ${JSON.stringify(never)}`);
        }
      }
      return Promise.resolve();
    },
  };
}
