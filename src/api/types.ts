/**
 * The control API's JSON shapes: what `baton up` serves under `/api/v1` and what the CLI reads.
 * This is a contract other tools may use; fields are added, never renamed.
 *
 * Endpoints (all JSON; errors are `{ "error": { "code", "message" } }` with a 4xx/5xx status):
 * - `GET  /api/v1/status`                      -> {@link ControllerStatus}
 * - `GET  /api/v1/workloads`                   -> {@link WorkloadSummary}[] (Rollouts and Deployments)
 * - `GET  /api/v1/workloads/:name`             -> {@link WorkloadDetail}
 * - `GET  /api/v1/workloads/:name/history`     -> {@link HistoryEntry}[]
 * - `POST /api/v1/workloads/:name/actions`     body {@link ActionRequest} -> {@link WorkloadDetail}
 * - `POST /api/v1/apply`                       body {@link ApplyRequest} -> {@link ApplyResult}
 * - `GET  /api/v1/events?workload=&afterId=&limit=&waitMs=` -> {@link EventsPage}
 *   (`waitMs` long-polls: answers as soon as an event newer than `afterId` exists, or after waitMs)
 * - `GET  /api/v1/events/stream?workload=&afterId=` the same events as server-sent events
 *   (src/api/events-stream.ts; resumes from `Last-Event-ID`)
 * - `GET|POST|DELETE /api/v1/session`          the dashboard's sign-in cookie (src/api/dashboard)
 * - `GET  /api/v1/logs?workload=&revision=&pod=&tail=` -> {@link LogsResult}
 * - `GET  /api/v1/audit?workload=&limit=`      -> {@link AuditView}[] (who did what, newest last)
 * - `POST /api/v1/shutdown`                    body {@link ShutdownRequest} -> `{ "ok": true }`
 * - `GET  /prometheus/api/v1/...`              the embedded Prometheus (docs/metrics.md)
 * - `GET  /runtime/metrics`                    `kube_pod_status_ready` for every process (text format)
 *
 * Authentication: `Authorization: Bearer <token>`; the token is the content of
 * `<state-dir>/api.token` (mode 0600). It is checked before any request body is read. A browser
 * signed in to the dashboard (served at `/`) carries it in a session cookie instead.
 * `/prometheus/*` needs it too; `/runtime/metrics` (process readiness, scraped by the embedded
 * Prometheus) and `/healthz` answer without it.
 *
 * Input: request bodies are read up to 8 MiB (larger: 413, connection closed); a body that is not
 * a JSON object of the endpoint's shape, and a malformed `%`-escape in the path or query, are 400.
 */

/** `GET /api/v1/status`. */
export interface ControllerStatus {
  pid: number;
  version: string;
  stateDir: string;
  /** The control API base URL. */
  api: string;
  /** Where user traffic enters (the gateway's proxy listener). */
  gateway: string;
  gatewayAdmin: string;
  /** The embedded Prometheus, as templates' addresses are mapped to it. */
  prometheus: string;
  /** `--time-scale`: 0.1 means pauses, intervals and delays take a tenth of their written time. */
  timeScale: number;
  /** Wall-clock epoch ms. */
  startedAt: number;
  /** The manifest generation in force (each `apply` that changes something adds one). */
  generation: number;
  /** The Prometheus addresses written in templates and the address each one is queried at. */
  addressMap: Record<string, string>;
  /** The embedded (PGlite) databases SchemaMigrations name, and where they are served. */
  databases: EmbeddedDatabaseView[];
}

/** An embedded database of `baton up` (docs/migrations.md, "Embedded databases"). */
export interface EmbeddedDatabaseView {
  /** The SchemaMigration that names it, `namespace/name`. */
  schemaMigration: string;
  /** Its URL as the SchemaMigration gives it: `pglite:<dir>` or `pglite:memory`. */
  url: string;
  /** The environment variable the URL came from; the processes Baton starts get it set to `servedUrl`. */
  env?: string;
  /** Where it answers PostgreSQL clients: `postgres://postgres@127.0.0.1:PORT/postgres`. */
  servedUrl?: string;
}

export type WorkloadKind = 'Rollout' | 'Deployment';

/** One line of `baton list`. */
export interface WorkloadSummary {
  kind: WorkloadKind;
  name: string;
  namespace: string;
  /** Rollout: Healthy | Progressing | Paused | Degraded; Deployment: Healthy | Progressing | Degraded. */
  phase: string;
  message: string;
  /** Canary: `3/9`; blue/green and Deployment: undefined. */
  step?: string;
  /** Rollout: blueGreen | canary; Deployment: RollingUpdate | Recreate. */
  strategy: string;
  /** Traffic share of the canary (0..100); 0 for Deployments. */
  canaryWeight: number;
  desired: number;
  current: number;
  updated: number;
  ready: number;
  available: number;
  /** The version labels (first container image) of the stable and current revisions. */
  stableImage?: string;
  currentImage?: string;
  /** When the oldest revision kept was created (the workload's age), wall-clock epoch ms. */
  createdAt?: number;
}

/** One process (pod). */
export interface PodView {
  name: string;
  revision: number;
  hash: string;
  /** Starting | Running | Terminating | Failed. */
  phase: string;
  ready: boolean;
  restarts: number;
  pid: number;
  address: string;
  /** Wall-clock epoch ms. */
  startedAt: number;
}

/** One revision with its role and processes. */
export interface RevisionView {
  revision: number;
  hash: string;
  image?: string;
  /** stable | canary | active | preview | current | old. */
  roles: string[];
  /** Traffic share in percent (Rollouts with traffic routing), else undefined. */
  weight?: number;
  replicas: number;
  ready: number;
  available: number;
  pods: PodView[];
}

/** One measurement of an analysis run. */
export interface MeasurementView {
  phase: string;
  value?: string;
  message?: string;
  /** Engine clock, epoch ms. */
  startedAt?: number;
  finishedAt?: number;
}

export interface MetricView {
  name: string;
  phase: string;
  /** `prometheus`, `web`, `job`, ... */
  provider: string;
  /** Prometheus: the address written in the template. */
  address?: string;
  /** Prometheus: the address really queried (after the address map). */
  queriedAddress?: string;
  /** The template's conditions as written (`result[0] <= 0.05`): the dashboard draws their thresholds. */
  successCondition?: string;
  failureCondition?: string;
  successful: number;
  failed: number;
  inconclusive: number;
  error: number;
  count: number;
  measurements: MeasurementView[];
}

export interface AnalysisRunView {
  name: string;
  /** step | background | prePromotion | postPromotion. */
  kind: string;
  phase: string;
  message?: string;
  startedAt: number;
  completedAt?: number;
  metrics: MetricView[];
}

/** `baton get rollout NAME -o json`. */
export interface WorkloadDetail extends WorkloadSummary {
  stableRevision?: number;
  currentRevision?: number;
  aborted: boolean;
  paused: boolean;
  /** Canary steps as text (`setWeight: 10`, `pause: {duration: 30s}`), current one marked by `step`. */
  steps: string[];
  stepIndex?: number;
  revisions: RevisionView[];
  analysisRuns: AnalysisRunView[];
  /** `--time-scale` of the controller, repeated here so a watcher can show it. */
  timeScale: number;
  /** Rollouts with SchemaMigrations: the last step of each migration, in the order they first ran. */
  schema?: SchemaStepView[];
}

/** Where one migration of a rollout's SchemaMigration stands (docs/migrations.md). */
export interface SchemaStepView {
  schemaMigration: string;
  /** Empty when a failure came before any migration ran. */
  migration: string;
  phase: 'expand' | 'backfill' | 'contract';
  state: 'running' | 'done' | 'failed' | 'skipped';
  revision?: number;
  /** Wall-clock epoch ms. */
  at: number;
  message?: string;
}

export type ActionName = 'promote' | 'abort' | 'retry' | 'pause' | 'resume' | 'undo' | 'restart' | 'set-image';

/** `POST /api/v1/workloads/:name/actions`. */
export interface ActionRequest {
  action: ActionName;
  /** promote: skip every remaining step and analysis. */
  full?: boolean;
  /** undo: the revision to go back to (default: the previous one). */
  toRevision?: number;
  /** set-image: container name -> image. */
  images?: Record<string, string>;
  /** abort: why (kept in the record). */
  reason?: string;
}

/**
 * `POST /api/v1/apply`: manifest files (absolute paths on the controller's machine). As
 * `kubectl apply`, the objects in the files (identified by kind, namespace and name) are created
 * or changed within the set in force and every other object stays; `prune` also deletes the
 * objects in force that the files do not hold (refused when the files hold none), and `dryRun`
 * only answers what would be done.
 */
export interface ApplyRequest {
  files: { path: string; text: string }[];
  prune?: boolean;
  dryRun?: boolean;
}

/** One manifest object: `kind/name` in a namespace, and the file it was applied from. */
export interface ManifestObjectRef {
  kind: string;
  /** `default` when the manifest names none; empty for cluster-scoped kinds (ClusterAnalysisTemplate). */
  namespace: string;
  name: string;
  path: string;
}

export interface ApplyResult {
  generation: number;
  /** False when the set was the same as the one in force (always false with `dryRun`). */
  changed: boolean;
  /** Lint warnings (`file:line path: message`). */
  warnings: string[];
  /** True when nothing was changed because `dryRun` asked only for the plan. */
  dryRun: boolean;
  /** Objects of the files not in force before. */
  created: ManifestObjectRef[];
  /** Objects of the files that replaced a different one of the same kind, namespace and name. */
  configured: ManifestObjectRef[];
  /** Objects of the files the same as in force. */
  unchanged: ManifestObjectRef[];
  /** Objects in force that `prune` deleted (or, with `dryRun`, would delete). */
  pruned: ManifestObjectRef[];
}

/** `baton history NAME`. */
export interface HistoryEntry {
  revision: number;
  hash: string;
  image?: string;
  /** Engine clock, epoch ms. */
  createdAt: number;
  /** stable | canary | current | old. */
  roles: string[];
}

/** One event (`baton events`). */
export interface EventView {
  id: number;
  /** Engine clock, epoch ms. */
  at: number;
  /** The wall-clock time of `at` (differs from `at` under `--time-scale`). */
  wallAt?: number;
  workload: string;
  type: string;
  /** A one-line description. */
  message: string;
  /** The event's own fields. */
  fields: Record<string, unknown>;
}

export interface EventsPage {
  events: EventView[];
  /** Pass as `afterId` to get the next ones. */
  lastId: number;
}

export interface LogsResult {
  files: { pod: string; path: string; text: string }[];
}

export interface ShutdownRequest {
  /** Leave the service processes and the gateway running (a new `baton up` re-adopts them). */
  keepServices?: boolean;
}

/** `GET /api/v1/session` (and the answer of `POST`, which signs a browser in to the dashboard). */
export interface SessionView {
  signedIn: true;
  /** How this request carried the token: `Authorization: Bearer`, or the dashboard's cookie. */
  via: 'bearer' | 'cookie';
  /**
   * What the token may do. There is one token today and it may do everything (`admin`); the
   * dashboard shows the actions a role allows, so roles can narrow it later.
   */
  role: 'admin';
  /** Wall-clock epoch ms when a cookie session ends (absent for a Bearer token). */
  expiresAt?: number;
}

/** The error body of every failed call. */
export interface ApiErrorBody {
  error: { code: string; message: string };
}

/** One audit record: a verb or an apply, by whom (`cli:<user>@<host>`, `api`, `up`). */
export interface AuditView {
  id: number;
  /** Wall-clock epoch ms. */
  at: number;
  actor: string;
  action: string;
  target: string;
  details?: Record<string, unknown>;
}
