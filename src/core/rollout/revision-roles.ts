/**
 * What each revision of a rollout is, as `kubectl argo rollouts get rollout` labels its
 * ReplicaSets (pkg/kubectl-argo-rollouts/info/replicaset_info.go): `stable`, `canary` (the
 * current revision while it is not stable, under a canary strategy), `preview` (the same under
 * blue/green), `active` (the revision the active Service selects) or `old`; and, for a canary
 * with traffic routing, the share of traffic the router gives it.
 */
import type { RolloutState } from './types.js';

export type RevisionRole = 'stable' | 'canary' | 'preview' | 'active' | 'old';

type Hashes = Pick<RolloutState, 'stableHash' | 'currentHash' | 'activeHash'>;

export function revisionRoles(strategy: 'canary' | 'blueGreen', state: Hashes, hash: string): RevisionRole[] {
  const roles: RevisionRole[] = [];
  if (hash === state.stableHash) roles.push('stable');
  if (hash === state.currentHash && hash !== state.stableHash) roles.push(strategy === 'canary' ? 'canary' : 'preview');
  if (strategy === 'blueGreen' && hash === state.activeHash) roles.push('active');
  if (roles.length === 0) roles.push('old');
  return roles;
}

/**
 * The traffic weight (%) of revision `hash` under a routed canary: the canary weight for the
 * current revision while it is not stable, the rest for the stable one (all of it when no
 * canary is in flight), 0 for any other.
 */
export function revisionWeight(state: Hashes & Pick<RolloutState, 'canaryWeight'>, hash: string): number {
  const inFlight = state.currentHash !== state.stableHash;
  if (hash === state.currentHash && inFlight) return state.canaryWeight;
  if (hash === state.stableHash) return 100 - (inFlight ? state.canaryWeight : 0);
  return 0;
}
