/**
 * Simulated pods for `baton simulate`: a revision scaled up gets pods that become available
 * `readyMs` after they were created (on the injected clock); scaling down removes the newest
 * pods first, at once.
 */
import type { ObservedRevision } from '../../../core/rollout/index.js';
import type { Clock } from '../../../ports/clock.js';
import type { RevisionWorkload, Workloads } from '../../../ports/workloads.js';

interface SimRevision {
  hash: string;
  /** Creation times of the pods, oldest first. */
  pods: number[];
}

export interface SimulatedWorkloads extends Workloads {
  /** Changes how long pods created from now on take to become available. */
  setReadyMs(ms: number): void;
}

export function createSimulatedWorkloads(clock: Clock, readyMs = 0): SimulatedWorkloads {
  const owners = new Map<string, Map<string, SimRevision>>();
  const readyAfter = new Map<string, number>(); // pod key -> ready time
  let podSeq = 0;
  const revisionsOf = (owner: string): Map<string, SimRevision> => {
    let m = owners.get(owner);
    if (!m) owners.set(owner, (m = new Map<string, SimRevision>()));
    return m;
  };
  const podKey = (owner: string, hash: string, created: number): string => `${owner}/${hash}/${created}`;

  return {
    setReadyMs(ms) {
      readyMs = ms;
    },
    scale(w: RevisionWorkload, replicas: number) {
      const revs = revisionsOf(w.owner);
      let rev = revs.get(w.hash);
      if (!rev) revs.set(w.hash, (rev = { hash: w.hash, pods: [] }));
      while (rev.pods.length < replicas) {
        // A unique, increasing id per pod keeps ready times apart even when created together.
        const id = ++podSeq;
        rev.pods.push(id);
        readyAfter.set(podKey(w.owner, w.hash, id), clock.now() + readyMs);
      }
      while (rev.pods.length > replicas) {
        const id = rev.pods.pop() as number;
        readyAfter.delete(podKey(w.owner, w.hash, id));
      }
      return Promise.resolve();
    },
    remove(owner, hash) {
      const rev = revisionsOf(owner).get(hash);
      if (rev) for (const id of rev.pods) readyAfter.delete(podKey(owner, hash, id));
      revisionsOf(owner).delete(hash);
      return Promise.resolve();
    },
    observe(owner): ObservedRevision[] {
      const now = clock.now();
      return [...revisionsOf(owner).values()].map((rev) => {
        const available = rev.pods.filter((id) => (readyAfter.get(podKey(owner, rev.hash, id)) ?? Infinity) <= now).length;
        return { hash: rev.hash, replicas: rev.pods.length, readyReplicas: available, availableReplicas: available };
      });
    },
    nextChangeAt(owner) {
      const now = clock.now();
      let next: number | undefined;
      for (const rev of revisionsOf(owner).values()) {
        for (const id of rev.pods) {
          const t = readyAfter.get(podKey(owner, rev.hash, id));
          if (t !== undefined && t > now && (next === undefined || t < next)) next = t;
        }
      }
      return next;
    },
  };
}
