/**
 * Simulated pods for `baton simulate`: a revision scaled up gets pods that become available
 * `readyMs` after they were created (on the injected clock); scaling down removes the newest
 * pods first, at once. Pod rules (the scenario's `pods:`) change that pod by pod: a pod that
 * takes longer, one that never becomes ready, one that goes unready for a while.
 */
import type { ObservedRevision } from '../../../core/rollout/index.js';
import { podRule, type PodRule } from '../../../core/simulate/scenario.js';
import type { Clock } from '../../../ports/clock.js';
import type { RevisionWorkload, Workloads } from '../../../ports/workloads.js';

interface SimPod {
  /** Its place in the revision's creation order, from 0. */
  ordinal: number;
  created: number;
  /** When it becomes ready (Infinity: never). */
  readyAt: number;
  /** A window in which it is not ready, absolute times. */
  unready?: { from: number; to: number };
}

interface SimRevision {
  hash: string;
  revision: number;
  /** Oldest first. */
  pods: SimPod[];
  created: number;
}

/** A pod going unready or ready again under a pod rule. */
export interface PodChange {
  at: number;
  owner: string;
  revision: number;
  pod: number;
  ready: boolean;
}

export interface SimulatedWorkloads extends Workloads {
  nextChangeAt(owner: string): number | undefined;
  /** Changes how long pods created from now on take to become available. */
  setReadyMs(ms: number): void;
  /**
   * Pod rules from now on: readiness delays apply to pods created from now on; unready windows
   * (`unreadyAt`, `readyAgainAt`, counted from `start`) to every pod.
   */
  setPodRules(rules: readonly PodRule[], start: number): void;
  /** Unready/ready changes under pod rules up to now, each reported once. */
  takePodChanges(): PodChange[];
}

function isReady(pod: SimPod, now: number): boolean {
  if (pod.readyAt > now) return false;
  return !(pod.unready && now >= pod.unready.from && now < pod.unready.to);
}

export function createSimulatedWorkloads(clock: Clock, readyMs = 0): SimulatedWorkloads {
  const owners = new Map<string, Map<string, SimRevision>>();
  let rules: readonly PodRule[] = [];
  let start = 0;
  /** Window edges already reported, by `owner/hash/ordinal/at`. */
  const reported = new Set<string>();
  const revisionsOf = (owner: string): Map<string, SimRevision> => {
    let m = owners.get(owner);
    if (!m) owners.set(owner, (m = new Map<string, SimRevision>()));
    return m;
  };
  const windowOf = (revision: number, ordinal: number): SimPod['unready'] => {
    const w = podRule(rules, revision, ordinal).unready;
    return w ? { from: start + w.from, to: start + w.to } : undefined;
  };

  return {
    setReadyMs(ms) {
      readyMs = ms;
    },
    setPodRules(next, at) {
      rules = next;
      start = at;
      for (const revs of owners.values()) {
        for (const rev of revs.values()) {
          for (const pod of rev.pods) {
            const w = windowOf(rev.revision, pod.ordinal);
            if (w) pod.unready = w;
            else delete pod.unready;
          }
        }
      }
    },
    scale(w: RevisionWorkload, replicas: number) {
      const revs = revisionsOf(w.owner);
      let rev = revs.get(w.hash);
      if (!rev) revs.set(w.hash, (rev = { hash: w.hash, revision: w.revision, pods: [], created: 0 }));
      while (rev.pods.length < replicas) {
        const ordinal = rev.created++;
        const rule = podRule(rules, w.revision, ordinal);
        const pod: SimPod = { ordinal, created: clock.now(), readyAt: clock.now() + (rule.readyMs ?? readyMs) };
        const window = windowOf(w.revision, ordinal);
        if (window) pod.unready = window;
        rev.pods.push(pod);
      }
      rev.pods.length = Math.min(rev.pods.length, replicas);
      return Promise.resolve();
    },
    remove(owner, hash) {
      revisionsOf(owner).delete(hash);
      return Promise.resolve();
    },
    observe(owner): ObservedRevision[] {
      const now = clock.now();
      return [...revisionsOf(owner).values()].map((rev) => {
        const available = rev.pods.filter((p) => isReady(p, now)).length;
        return { hash: rev.hash, replicas: rev.pods.length, readyReplicas: available, availableReplicas: available };
      });
    },
    nextChangeAt(owner) {
      const now = clock.now();
      let next: number | undefined;
      const consider = (t: number | undefined): void => {
        if (t !== undefined && Number.isFinite(t) && t > now && (next === undefined || t < next)) next = t;
      };
      for (const rev of revisionsOf(owner).values()) {
        for (const pod of rev.pods) {
          consider(pod.readyAt);
          consider(pod.unready?.from);
          consider(pod.unready?.to);
        }
      }
      return next;
    },
    takePodChanges() {
      const now = clock.now();
      const out: PodChange[] = [];
      for (const [owner, revs] of owners) {
        for (const rev of revs.values()) {
          for (const pod of rev.pods) {
            if (!pod.unready) continue;
            // A pod created inside its window is unready from its creation on.
            for (const [at, ready] of [[Math.max(pod.unready.from, pod.created), false], [pod.unready.to, true]] as const) {
              const key = `${owner}/${rev.hash}/${pod.ordinal}/${at}`;
              if (at > now || !Number.isFinite(at) || reported.has(key)) continue;
              reported.add(key);
              out.push({ at, owner, revision: rev.revision, pod: pod.ordinal, ready });
            }
          }
        }
      }
      return out.sort((a, b) => a.at - b.at);
    },
  };
}
