/**
 * What a traffic effect does to a rollout's routing state (pure). Every TrafficRouter keeps the
 * same state; the gateway router then builds a config from it, the memory router only records.
 */
import type { Effect } from '../rollout/index.js';
import type { RolloutRouting } from './gateway-config.js';

/** The rollout core's effects that move traffic. */
export type TrafficEffect = Extract<Effect, { type: 'setWeight' | 'setHeaderRoute' | 'setMirrorRoute' | 'removeManagedRoutes' | 'setServiceSelector' }>;

export function emptyRouting(rollout: string): RolloutRouting {
  return { rollout, canaryWeight: 0, serviceSelectors: {}, headerRoutes: [], mirrorRoutes: [] };
}

/** Returns the routing after `effect`; the input is not changed. */
export function applyTrafficEffect(routing: RolloutRouting, effect: TrafficEffect): RolloutRouting {
  const r: RolloutRouting = { ...routing, serviceSelectors: { ...routing.serviceSelectors } };
  switch (effect.type) {
    case 'setWeight':
      r.canaryWeight = effect.canary;
      // Baseline and experiment shares: each setWeight states them all (none = none).
      if (effect.additional?.length) r.additional = effect.additional.map((d) => ({ ...d }));
      else delete r.additional;
      if (effect.canaryHash !== undefined) r.canaryHash = effect.canaryHash;
      if (effect.stableHash !== undefined) r.stableHash = effect.stableHash;
      return r;
    case 'setHeaderRoute':
      r.headerRoutes = [...r.headerRoutes.filter((h) => h.name !== effect.name), { name: effect.name, match: effect.match }];
      return r;
    case 'setMirrorRoute':
      r.mirrorRoutes = [...r.mirrorRoutes.filter((m) => m.name !== effect.name), { name: effect.name, match: effect.match, percentage: effect.percentage }];
      return r;
    case 'removeManagedRoutes':
      r.headerRoutes = r.headerRoutes.filter((h) => !effect.names.includes(h.name));
      r.mirrorRoutes = r.mirrorRoutes.filter((m) => !effect.names.includes(m.name));
      return r;
    case 'setServiceSelector':
      r.serviceSelectors[effect.service] = effect.hash;
      return r;
    default: {
      const never: never = effect;
      throw new Error(`unknown traffic effect ${JSON.stringify(never)}`);
    }
  }
}
