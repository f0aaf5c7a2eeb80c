/**
 * What the coordinator remembers about each rollout between ticks, to know when a contract may
 * run: which revision went out with the expands ("armed"), when that revision was promoted (on
 * the engine clock, so `--time-scale` shortens the bake time), which revisions were ever stable
 * (old code: an undo back to one of them never arms a contract), and which were aborted (never
 * a contract for them: the stable revision still needs the old schema).
 */
import type { PodInfo } from '../adapters/workloads/processes/index.js';
import type { RolloutController } from '../engine/rollout-controller.js';

/** The parts of a RolloutController the coordinator reads. */
export type RolloutView = Pick<RolloutController, 'name' | 'spec' | 'rolloutState' | 'status'>;
/** The parts of a supervisor pod the coordinator reads. */
export type PodView = Pick<PodInfo, 'owner' | 'hash' | 'pid' | 'phase'>;

export interface ArmedRevision {
  hash: string;
  revision: number;
  /** `prepared`: this controller ran prepareRevision for it; `recovered`: found in the audit table after a restart. */
  source: 'prepared' | 'recovered';
}

/** A rollout's contract situation at one tick. */
export type ContractCandidate =
  /** The armed revision is stable and Healthy since `promotedAtMs`. */
  | { kind: 'promoted'; rollout: string; armed: ArmedRevision; promotedAtMs: number; olderRevisionProcesses: number }
  /** The armed revision was aborted: its contracts never run (reported once). */
  | { kind: 'aborted'; rollout: string; armed: ArmedRevision }
  /** Nothing armed, but a revision is stable and Healthy: after a restart, look in the audit table. */
  | { kind: 'unknown'; rollout: string; stableHash: string; stableRevision: number };

interface Track {
  armed?: ArmedRevision;
  everStable: Set<string>;
  aborted: Set<string>;
  promoted?: { hash: string; atMs: number };
  /** Stable hashes already looked up in the audit table. */
  recoveryChecked: Set<string>;
  abortReported: Set<string>;
}

/** A process of a revision other than `stableHash` that is alive or about to be. */
function isOlderProcess(p: PodView, owner: string, stableHash: string): boolean {
  return p.owner === owner && p.hash !== stableHash && (p.pid > 0 || p.phase === 'Starting');
}

/**
 * Where the aborted revisions are kept across controller restarts (the controller's store), so
 * "never a contract after an abort" holds after a restart too.
 */
export interface AbortedRevisionStore {
  load(rollout: string): string[];
  add(rollout: string, hash: string): void;
}

export class RolloutTracker {
  private readonly tracks = new Map<string, Track>();

  constructor(private readonly abortedStore?: AbortedRevisionStore) {}

  private track(rollout: string): Track {
    let t = this.tracks.get(rollout);
    if (!t) {
      t = { everStable: new Set(), aborted: new Set(this.abortedStore?.load(rollout) ?? []), recoveryChecked: new Set(), abortReported: new Set() };
      this.tracks.set(rollout, t);
    }
    return t;
  }

  /**
   * The expands for `hash` are applied: its promotion arms the pending contracts. Refused (false)
   * for a revision that was stable before (an undo back to old code, which still needs the old
   * schema) or one already aborted. A `recovered` revision is known from the audit table to
   * have gone out with the expands, so having been seen stable does not count against it.
   */
  arm(rollout: string, armed: ArmedRevision, currentStable?: string): boolean {
    const t = this.track(rollout);
    if (currentStable !== undefined && currentStable !== armed.hash) t.everStable.add(currentStable);
    if ((armed.source === 'prepared' && t.everStable.has(armed.hash)) || t.aborted.has(armed.hash)) return false;
    t.armed = armed;
    t.abortReported.delete(armed.hash);
    return true;
  }

  /** The audit table was searched for `stableHash` (found or not): do not ask again. */
  markRecoveryChecked(rollout: string, stableHash: string): void {
    this.track(rollout).recoveryChecked.add(stableHash);
  }

  markAbortReported(rollout: string, hash: string): void {
    this.track(rollout).abortReported.add(hash);
  }

  /** True when `rollout` is aborted now (from the last observation). */
  isAborted(rollout: string, hash: string): boolean {
    return this.tracks.get(rollout)?.aborted.has(hash) ?? false;
  }

  /** Takes in one tick's view of a rollout; returns what the coordinator may have to do. */
  observe(view: RolloutView, pods: readonly PodView[], nowMs: number): ContractCandidate | undefined {
    const t = this.track(view.name);
    const s = view.rolloutState;
    if (s.aborted && s.currentHash !== undefined && !t.aborted.has(s.currentHash)) {
      t.aborted.add(s.currentHash);
      this.abortedStore?.add(view.name, s.currentHash);
    }
    const stable = s.stableHash;
    const settled = stable !== undefined && stable === s.currentHash && !s.aborted && view.status?.phase === 'Healthy';
    if (!settled) {
      // Promotion is measured from when the revision was seen settled; losing that resets it.
      if (t.promoted && t.promoted.hash !== stable) t.promoted = undefined;
    } else if (t.promoted?.hash !== stable) {
      t.promoted = { hash: stable, atMs: nowMs };
    }
    if (stable !== undefined && t.armed?.hash !== stable) t.everStable.add(stable);
    const armed = t.armed;
    if (armed && t.aborted.has(armed.hash)) {
      return t.abortReported.has(armed.hash) ? undefined : { kind: 'aborted', rollout: view.name, armed };
    }
    if (!settled || stable === undefined || !t.promoted) return undefined;
    if (armed?.hash === stable) {
      const olderRevisionProcesses = pods.filter((p) => isOlderProcess(p, view.name, stable)).length;
      return { kind: 'promoted', rollout: view.name, armed, promotedAtMs: t.promoted.atMs, olderRevisionProcesses };
    }
    if (!armed && !t.recoveryChecked.has(stable)) {
      const stableRevision = s.revisions.find((r) => r.hash === stable)?.revision ?? 0;
      return { kind: 'unknown', rollout: view.name, stableHash: stable, stableRevision };
    }
    return undefined;
  }
}
