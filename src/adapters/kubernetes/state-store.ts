/**
 * The StateStore of one Rollout on a cluster: what the engine saves becomes the Rollout's
 * `.status` in Argo's fields, one AnalysisRun object per run (Argo's names, labels and status),
 * and the engine's own record of the rollout in the `rollouts.baton.dev/state` annotation, from
 * which a controller that starts (a restart, a new leader) resumes at the same step.
 *
 * `save` is synchronous (the engine's port) and only keeps the record; `flush` writes what
 * changed since the last flush, in an order that keeps a crash between two writes harmless:
 * AnalysisRuns first (a resumed engine that starts a run of the same name finds and adopts the
 * object, so there is never a duplicate), then the record, then the status (a projection).
 * Writes are JSON merge patches of only what differs from the object as last seen, so a field
 * someone else wrote and the engine has not read yet is not overwritten with an old value.
 */
import type { AnalysisRunState } from '../../core/analysis/index.js';
import type { ObservedRevision, RolloutState, RolloutStatus } from '../../core/rollout/index.js';
import type { Rollout } from '../../core/spec/types.js';
import type { RolloutRecord, SaveTick, StateStore } from '../../ports/state-store.js';
import { analysisRunObject, analysisRunStatus, RUN_STATE_ANNOTATION, runStateOf } from './analysis-run-object.js';
import { isAlreadyExists, isNotFound, type KubeClient } from './client.js';
import type { Informer } from './informer.js';
import { RESOURCES, type KubeObject } from './resources.js';
import { argoRolloutStatus, mergePatch, type ArgoRolloutStatus } from './rollout-status.js';

/** The annotation holding the engine's record of the rollout (JSON of RolloutState). */
export const ROLLOUT_STATE_ANNOTATION = 'rollouts.baton.dev/state';

export interface KubeStateStoreOptions {
  client: KubeClient;
  namespace: string;
  name: string;
  rollouts: Informer;
  analysisRuns: Informer;
  /** The Rollout as the engine reads it now (for the status projection). */
  spec: () => Rollout;
  /** What the ReplicaSets report now (readyReplicas). */
  observed: () => ObservedRevision[];
  /** The metrics of a template as written, for the AnalysisRun's spec. */
  templateMetrics: (template: string) => unknown[] | undefined;
  now: () => number;
  /** Engine time -> wall time, for the times shown in status (they differ under --time-scale). */
  toWall?: (engineMs: number) => number;
}

export interface KubeStateStore extends StateStore {
  /** Writes what changed since the last flush; on failure the rest stays pending for the next one. */
  flush(): Promise<void>;
  /** A save not yet written. */
  readonly pending: boolean;
  /** Writes done since creation (for metrics and the benchmark). */
  readonly writes: number;
  /** The status this store last wrote (undefined before its first status write). */
  readonly writtenStatus: ArgoRolloutStatus | undefined;
  /** The status as the engine read it (its requests carried out): the next status write is a diff from it. */
  seen(status: ArgoRolloutStatus | undefined): void;
}

/**
 * The state without the progress clock (`progressAt`, `progressMarker`), which moves with every
 * pod that becomes ready. A change of it alone is not written: a controller that resumes with an
 * older marker sees the counts differ and restarts the progress deadline from then, which only
 * makes the deadline later, never sooner.
 */
function resumeKey(stateJson: string): string {
  const { progressAt: _at, progressMarker: _marker, ...rest } = JSON.parse(stateJson) as RolloutState;
  return JSON.stringify(rest);
}

/** See the file comment. */
export function createKubeStateStore(o: KubeStateStoreOptions): KubeStateStore {
  let latest: { record: RolloutRecord; status?: RolloutStatus } | undefined;
  let dirty = false;
  let writes = 0;
  /** What was last written, as JSON, so an unchanged piece is not written again. */
  const writtenRuns = new Map<string, string>();
  let writtenState: string | undefined;
  let writtenStatus: ArgoRolloutStatus | undefined;
  let flushing: Promise<void> | undefined;
  /** The Rollout's status as the engine last read it (actions included), or as last written. */
  let seenStatus: ArgoRolloutStatus | undefined;

  const rolloutObject = (): KubeObject | undefined => o.rollouts.get(o.namespace, o.name);

  const load = (): RolloutRecord | undefined => {
    const obj = rolloutObject();
    const text = obj?.metadata.annotations?.[ROLLOUT_STATE_ANNOTATION];
    if (!obj || !text) return undefined;
    let rolloutState: RolloutState;
    try {
      rolloutState = JSON.parse(text) as RolloutState;
    } catch {
      return undefined;
    }
    writtenState = text;
    const analysisRuns: AnalysisRunState[] = [];
    for (const owned of rolloutState.analysisRuns) {
      const ar = o.analysisRuns.get(o.namespace, owned.name);
      const run = ar ? runStateOf(ar) : undefined;
      if (!run) continue;
      analysisRuns.push(run);
      writtenRuns.set(run.name, JSON.stringify(run));
    }
    return { rolloutState, analysisRuns };
  };

  const writeRun = async (run: AnalysisRunState, rollout: KubeObject, state: RolloutState): Promise<void> => {
    const owned = state.analysisRuns.find((r) => r.name === run.name);
    const json = JSON.stringify(run);
    if (writtenRuns.get(run.name) === json) return;
    const exists = o.analysisRuns.get(o.namespace, run.name);
    const patch = { metadata: { annotations: { [RUN_STATE_ANNOTATION]: json } }, spec: { terminate: run.terminated || null }, status: analysisRunStatus(run, o.toWall) };
    if (!exists) {
      // Only runs the rollout still owns get an object; an old run that was never written is history.
      if (!owned) return;
      const revision = state.revisions.find((r) => r.hash === owned.hash)?.revision;
      try {
        writes += 1;
        o.analysisRuns.remember(await o.client.create(RESOURCES.analysisRuns, o.namespace, analysisRunObject({ run, owned, rollout, revision, templateMetrics: o.templateMetrics, ...(o.toWall ? { toWall: o.toWall } : {}) })));
        writtenRuns.set(run.name, json);
        return;
      } catch (e) {
        // Created before a crash, or by the previous leader: adopt it by writing over its status.
        if (!isAlreadyExists(e)) throw e;
      }
    }
    writes += 1;
    o.analysisRuns.remember(await o.client.patch(RESOURCES.analysisRuns, o.namespace, run.name, patch, 'merge'));
    writtenRuns.set(run.name, json);
  };

  const flushOnce = async (): Promise<void> => {
    if (!dirty || !latest) return;
    dirty = false;
    const { record, status } = latest;
    const rollout = rolloutObject();
    if (!rollout) return;
    try {
      for (const run of record.analysisRuns) await writeRun(run, rollout, record.rolloutState);
      const stateJson = JSON.stringify(record.rolloutState);
      if (writtenState === undefined || resumeKey(stateJson) !== resumeKey(writtenState)) {
        writes += 1;
        o.rollouts.remember(await o.client.patch(RESOURCES.rollouts, o.namespace, o.name, { metadata: { annotations: { [ROLLOUT_STATE_ANNOTATION]: stateJson } } }, 'merge'));
        writtenState = stateJson;
      }
      if (status) {
        // The diff is taken against the status the engine last read (see `seen`), so a field
        // someone set that the engine has acted on (the plugin's promoteFull: true, after a
        // promotion that ended within one sync) is written back to the engine's value, and one
        // set since the engine read it (an abort arriving mid-sync) is left for the next sync.
        const previous = seenStatus ?? (rolloutObject()?.status as ArgoRolloutStatus | undefined) ?? writtenStatus;
        const next = argoRolloutStatus({
          rollout: o.spec(),
          generation: rollout.metadata.generation,
          state: record.rolloutState,
          status,
          runs: record.analysisRuns,
          observed: o.observed(),
          previous,
          now: o.now(),
          ...(o.toWall ? { toWall: o.toWall } : {}),
        });
        const patch = mergePatch(previous ?? {}, next);
        if (patch !== undefined) {
          writes += 1;
          o.rollouts.remember(await o.client.patch(RESOURCES.rollouts, o.namespace, o.name, { status: patch }, 'merge', 'status'));
        }
        writtenStatus = next;
        seenStatus = next;
      }
    } catch (e) {
      // The Rollout is gone: nothing left to write. Anything else: write it all again next time.
      if (isNotFound(e) && !o.rollouts.get(o.namespace, o.name)) return;
      dirty = true;
      throw e;
    }
  };

  return {
    load,
    save(_name, record) {
      latest = { record: structuredClone(record), ...(latest?.status ? { status: latest.status } : {}) };
      dirty = true;
    },
    saveTick(tick: SaveTick) {
      latest = { record: structuredClone(tick.record), ...(tick.status ? { status: tick.status } : latest?.status ? { status: latest.status } : {}) };
      dirty = true;
    },
    flush() {
      // One flush at a time; a save during a flush is written by the next one.
      const run = async (): Promise<void> => {
        while (flushing) await flushing.catch(() => undefined);
        flushing = flushOnce();
        try {
          await flushing;
        } finally {
          flushing = undefined;
        }
      };
      return run();
    },
    get pending() {
      return dirty;
    },
    get writes() {
      return writes;
    },
    get writtenStatus() {
      return writtenStatus;
    },
    seen(status) {
      seenStatus = status;
    },
  };
}
