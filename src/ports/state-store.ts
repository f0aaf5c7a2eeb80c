import type { AnalysisRunState, AnalysisRunPhase } from '../core/analysis/index.js';
import type { RolloutPhase, RolloutState, RolloutStatus } from '../core/rollout/index.js';

/** Everything the engine needs to resume a rollout after a crash. */
export interface RolloutRecord {
  rolloutState: RolloutState;
  analysisRuns: AnalysisRunState[];
}

/**
 * Durable state: SQLite on one machine, an in-memory map in `baton simulate`. `save` is atomic:
 * after a crash, `load` returns the last saved record whole.
 */
export interface StateStore {
  load(rollout: string): RolloutRecord | undefined;
  save(rollout: string, record: RolloutRecord): void;
  /** When present, the engine saves the record with its status and events in one transaction. */
  saveTick?(tick: SaveTick): void;
}

/** Keys of the store's `meta` table that the runtime shares with the CLI. */
export const META_KEYS = {
  /** Id of the controller that last opened the store for writing. */
  controllerId: 'controller.id',
  /** `--time-scale` of the running controller, as a decimal string. */
  timeScale: 'controller.timeScale',
  /** Path of the control API token file. */
  tokenPath: 'api.tokenPath',
} as const;

/** One manifest file as applied (`baton apply -f`): its path as given and its text. */
export interface ManifestFile {
  path: string;
  text: string;
}

/** One `apply`: a numbered generation of the whole manifest set. */
export interface ManifestGeneration {
  generation: number;
  /** Epoch ms. */
  appliedAt: number;
  actor: string;
  files: ManifestFile[];
}

/**
 * One object of the manifest set in force as stored (src/core/spec/objects.ts): its identity,
 * where it was applied from, and its text with the text's digest (sha256, hex).
 */
export interface StoredManifestObject {
  kind: string;
  namespace: string;
  name: string;
  path: string;
  line: number;
  fromDirectory: boolean;
  text: string;
  digest: string;
}

/** The manifests in force (the latest generation) and every earlier one, newest first. */
export interface AppliedManifests {
  latest?: ManifestGeneration;
  history: { generation: number; appliedAt: number; actor: string; fileCount: number }[];
}

/** What `baton list` / `get` show without loading the whole state. */
export interface RolloutSummary {
  name: string;
  /** Unset until a save carried a status. */
  phase?: RolloutPhase;
  message?: string;
  stepIndex?: number;
  stepCount?: number;
  canaryWeight: number;
  stableWeight: number;
  stableRevision?: number;
  currentRevision?: number;
  aborted: boolean;
  /** Epoch ms of the last save, on the store's clock. */
  updatedAt: number;
}

/** One revision for `baton history`. */
export interface RevisionSummary {
  revision: number;
  hash: string;
  /** The first container's image: Baton's version label. */
  image?: string;
  createdAt: number;
}

/** One measurement as a row, so it can be listed and queried without the whole run. */
export interface MeasurementRow {
  rollout: string;
  run: string;
  metric: string;
  phase: AnalysisRunPhase;
  value?: string;
  message?: string;
  startedAt: number;
  finishedAt?: number;
}

/** One analysis run as a row: the run's own header fields, plus the rollout that owns it. */
export type AnalysisRunSummary = { rollout: string } & Pick<AnalysisRunState, 'name' | 'kind' | 'phase' | 'message' | 'startedAt' | 'completedAt'>;

/** An engine event as stored: the event's own fields plus a store-wide increasing `id`. */
export interface StoredEvent {
  id: number;
  at: number;
  rollout: string;
  type: string;
  [field: string]: unknown;
}

/** "Who did what": a CLI verb or an API call. */
export interface AuditEntry {
  at: number;
  /** `cli:<user>`, `api:<token name>`, `controller`. */
  actor: string;
  /** The verb: `apply`, `promote`, `abort`, ... */
  action: string;
  /** What it acted on, e.g. the rollout name. */
  target: string;
  details?: Record<string, unknown>;
}

/** One engine save: the record, the status it produced and the events, written together. */
export interface SaveTick {
  rollout: string;
  record: RolloutRecord;
  status?: RolloutStatus;
  events?: { at: number; rollout: string; type: string; [field: string]: unknown }[];
}

/**
 * The store the single-host runtime and CLI use: the engine's {@link StateStore} plus manifests,
 * status, history, analysis rows, events, audit and meta. Every write method is one transaction.
 */
export interface RuntimeStateStore extends StateStore {
  /** Record, status and events in one transaction: after a crash, all of it or none. */
  saveTick(tick: SaveTick): void;
  /** Runs `fn` in one transaction (nested calls become savepoints); a throw rolls it back. */
  transaction<T>(fn: () => T): T;
  /** Stores a manifest set; returns its generation (the latest one's, when nothing changed). */
  applyManifests(input: { files: ManifestFile[]; actor: string; at: number }): number;
  appliedManifests(): AppliedManifests;
  manifestGeneration(generation: number): ManifestGeneration | undefined;
  /**
   * Stores the manifest set in force as objects; a text whose digest is stored already is not
   * written again. Returns the new generation, or the latest one's when nothing changed.
   */
  applyManifestObjects(input: { objects: StoredManifestObject[]; actor: string; at: number }): number;
  /** The latest generation as objects; undefined when there is none, or when it was stored as files (by an older Baton). */
  manifestObjects(): { generation: number; objects: StoredManifestObject[] } | undefined;
  /** Forgets a rollout (removed from the manifests): its record, revisions, runs and measurements; events and audit stay. */
  deleteRollout(name: string): void;
  rollouts(): RolloutSummary[];
  rollout(name: string): RolloutSummary | undefined;
  revisions(rollout: string): RevisionSummary[];
  analysisRuns(rollout: string): AnalysisRunSummary[];
  measurements(query: { rollout: string; run?: string; metric?: string }): MeasurementRow[];
  appendEvent(event: { at: number; rollout: string; type: string; [field: string]: unknown }): void;
  /**
   * Oldest first; `since` is an `at` (ms), `afterId` an event id. `limit` keeps the newest ones,
   * or with `afterId` the first ones after it (a page forward, so following a cursor skips none).
   */
  events(query?: { rollout?: string; since?: number; afterId?: number; limit?: number }): StoredEvent[];
  recordAudit(entry: AuditEntry): void;
  /** Newest last; `limit` keeps the newest ones. */
  audit(query?: { rollout?: string; limit?: number }): (AuditEntry & { id: number })[];
  getMeta(key: string): string | undefined;
  setMeta(key: string, value: string): void;
  close(): void;
}
