/**
 * Checks `baton up` makes on a state directory before it adopts anything. Processes outlive the
 * controller (docs/local-runtime.md, "Surviving the controller"); their desired state lives in
 * the database. A database that was emptied, replaced or moved away while they ran would leave
 * them running with no controller that knows them: never scaled down, never rolled, never
 * stopped by `baton down`'s drain. So the controller refuses to start, naming them.
 */
import { livePodRecords, type PodRecord } from '../adapters/workloads/processes/index.js';
import { BatonError } from '../core/errors.js';
import { deploymentStateKey } from '../engine/deployment-controller.js';
import type { RuntimeStateStore } from '../ports/state-store.js';
import type { StateDir } from './state-dir.js';

/** Running processes of this state dir that its database has no state for. */
export class UnknownProcessesError extends BatonError {
  constructor(dir: StateDir, pods: PodRecord[]) {
    const list = pods.map((p) => `pid ${p.pid} (${p.name}, ${p.owner} revision ${p.revision})`).join(', ');
    super(
      'state-lost',
      `the state database ${dir.db} has no state for ${pods.length} process(es) still running from ${dir.root}: ${list}. ` +
        `Starting would leave them running with no controller. Put back the database that belongs to this state dir, ` +
        `or stop them with \`baton down --state-dir ${dir.root}\` (it stops every recorded process and the gateway), then start again.`,
      { stateDir: dir.root, db: dir.db, pids: pods.map((p) => p.pid) },
    );
  }
}

/**
 * Throws UnknownProcessesError when a live recorded process belongs to a workload the store has
 * no state for. A known workload's process of a revision the store does not list yet is fine: a
 * controller killed between starting a new revision and saving it leaves exactly that, and the
 * next one derives the same revision (same template, same hash) and adopts it.
 */
export function checkProcessesKnown(dir: StateDir, store: RuntimeStateStore): void {
  const known = new Map<string, boolean>();
  const isKnown = (owner: string): boolean => {
    let k = known.get(owner);
    if (k === undefined) {
      const deployment = store.getMeta(deploymentStateKey(owner));
      k = store.load(owner) !== undefined || (deployment !== undefined && deployment !== 'null');
      known.set(owner, k);
    }
    return k;
  };
  // In pid order, so the message and its details read the same on every start.
  const unknown = livePodRecords(dir.root)
    .filter((p) => !isKnown(p.owner))
    .sort((a, b) => a.pid - b.pid);
  if (unknown.length) throw new UnknownProcessesError(dir, unknown);
}
