/**
 * `baton up`'s controller, wired: the composition root of the embedded default. It owns the
 * state directory (lock, token, SQLite store), starts or re-adopts the gateway process and the
 * service processes, runs the engine on a (possibly scaled) clock, serves the embedded
 * Prometheus, and offers what the control API needs. Nothing here decides a rollout: the core
 * does, through src/engine.
 */
import { dirname, join } from 'node:path';
import { createMetricsProviders } from '../adapters/metrics/index.js';
import { openSqliteStore, type SqliteStore } from '../adapters/store/sqlite/index.js';
import { createScaledClock, nextAnchor, type ScaledClockAnchor } from '../adapters/clock/scaled.js';
import { createSystemClock } from '../adapters/clock/system.js';
import { createGatewayRouter, type GatewayRouter } from '../adapters/traffic/gateway/router.js';
import { createProcessSupervisor, isSameProcessAlive, type PodInfo, type ProcessSupervisor } from '../adapters/workloads/processes/index.js';
import { BatonError, InvalidInputError } from '../core/errors.js';
import type { RolloutAction } from '../core/rollout/index.js';
import type { RolloutRouting } from '../core/routing/gateway-config.js';
import { formatDiagnostic } from '../core/spec/diagnostics.js';
import { setImages, setRestartedAt, setTemplate, type WorkloadRef } from '../core/spec/edit.js';
import type { ManifestFile } from '../core/spec/load.js';
import { objectKey, planApply, type ManifestObject } from '../core/spec/objects.js';
import type { ManifestSet } from '../core/spec/types.js';
import { describeEvent, type EngineEvent } from '../engine/events.js';
import type { Clock } from '../ports/clock.js';
import { Runtime } from '../engine/runtime.js';
import { readStoredJson } from '../engine/stored-json.js';
import { createMetricsApp, type MetricsApp, type ScrapeJobConfig } from '../metrics-server/index.js';
import { META_KEYS, type StoredEvent } from '../ports/state-store.js';
import type { TrafficRouter } from '../ports/traffic-router.js';
import type { ActionRequest, ApplyRequest, ApplyResult, AuditView, ControllerStatus, EventsPage, EventView, HistoryEntry, LogsResult, WorkloadDetail, WorkloadSummary } from '../api/types.js';
import { ensureGateway, stopGateway, type RunningGateway } from './gateway-process.js';
import { metricsJobFor, prometheusAddresses } from './metrics-setup.js';
import { splitKindName } from '../api/kinds.js';
import { applySchemaEvent, isSchemaStepEvent, type SchemaStep } from '../core/migrate/index.js';
import { DATABASE_PASSWORD_FILE, createEmbeddedDatabases, type EmbeddedDatabases } from './embedded-databases.js';
import { createSchemaMigrationCoordinator, gatewayStableErrorRate, type SchemaMigrationCoordinator } from './schema-migrations.js';
import { acquireLock, ensureToken, secureStateDir, type StateDir } from './state-dir.js';
import { checkProcessesKnown } from './startup-checks.js';
import { ManifestObjects, objectRef, startingSet } from './manifest-set.js';
import { podLogs } from './pod-logs.js';
import { deploymentDetail, historyOf, rolloutDetail, summaryOf } from './views.js';

export interface ControlPlaneOptions {
  dir: StateDir;
  /**
   * Manifests given on start. Over a state dir with a set in force that differs from them, that
   * set runs unchanged (see `startNotice`) unless `applyFiles`; none: the set in force.
   */
  files?: ManifestFile[];
  /** Apply `files` over the set in force, as `baton apply -f` does. */
  applyFiles?: boolean;
  /** Gateway proxy listener, `HOST:PORT`. */
  listen: string;
  /** The control API base URL, once known (for the address map and status). */
  apiUrl: () => string;
  timeScale: number;
  /** `job` label of the gateway's metrics; default: the one the templates' queries select. */
  metricsJob?: string;
  /** Embedded Prometheus scrape interval; default 5 s. */
  scrapeIntervalMs?: number;
  /** More scrape jobs (`--metrics-config`: the services' own `/metrics`). */
  extraScrapeJobs?: ScrapeJobConfig[];
  /** A real Prometheus to query instead of the embedded one (no address mapping then). */
  prometheusUrl?: string;
  /** Engine events as they happen (foreground progress). */
  onEvent?: (e: EngineEvent) => void;
  /** Diagnostics of the controller itself (a failed gateway push). */
  log?: (line: string) => void;
  actor?: string;
}

const ROUTING_KEY = 'gateway.routing';
const CLOCK_KEY = 'controller.clockAnchor';
/** The port each embedded database was served on, by URL: a restarted controller serves it there again. */
const DATABASE_PORTS_KEY = 'embeddedDatabases.ports';
const schemaStepsKey = (rollout: string): string => `schemaSteps.${rollout}`;
/** How long a leaving pod's in-flight requests may take before it is stopped anyway. */
const DRAIN_TIMEOUT_MS = 30_000;
/** How often the controller checks that the gateway process is alive. */
const GATEWAY_WATCH_MS = 1_000;

/** Everything the control API calls. */
export class ControlPlane {
  readonly store: SqliteStore;
  readonly supervisor: ProcessSupervisor;
  readonly router: GatewayRouter;
  readonly runtime: Runtime;
  readonly metrics: MetricsApp;
  readonly migrations: SchemaMigrationCoordinator;
  readonly databases: EmbeddedDatabases;
  readonly token: string;
  readonly startedAt = Date.now();
  /** The engine clock (scaled by --time-scale): every stored event's `at`. */
  private readonly clock: Clock;
  private readonly releaseLock: () => void;
  private objects: ManifestObject[] = [];
  private readonly manifests: ManifestObjects;
  /** What `baton up` has to say about the files it was given (they differ from the set in force). */
  startNotice: string[] = [];
  private generation = 0;
  private addressMap: Record<string, string> = {};
  private eventWaiters = new Set<() => void>();
  private syncQueued = false;
  private lastEngineError = new Map<string, string>();
  private closed = false;
  /** Engine time -> wall time (they differ under --time-scale). */
  readonly toWall: (engineMs: number) => number;

  private gatewayWatch: NodeJS.Timeout | undefined;
  private restartingGateway = false;

  private constructor(
    private readonly opts: ControlPlaneOptions,
    private gateway: RunningGateway,
    parts: { store: SqliteStore; releaseLock: () => void; token: string; anchor: ScaledClockAnchor; routing: RolloutRouting[]; gatewayVersion: number; job: string; manifests: ManifestObjects },
  ) {
    this.store = parts.store;
    this.manifests = parts.manifests;
    this.releaseLock = parts.releaseLock;
    this.token = parts.token;
    const log = opts.log ?? (() => {});
    const wall = createSystemClock();
    const clock = createScaledClock(parts.anchor, wall);
    this.clock = clock;
    this.toWall = (ms) => clock.toWall(ms);
    const baseDirs = new Map<string, string>();
    const ports = (): Record<string, number> => readStoredJson<Record<string, number>>(this.store.getMeta(DATABASE_PORTS_KEY), DATABASE_PORTS_KEY, {});
    this.databases = createEmbeddedDatabases({
      serve: true,
      passwordFile: join(opts.dir.root, DATABASE_PASSWORD_FILE),
      log,
      ports: {
        get: (url) => ports()[url],
        set: (url, port) => this.store.setMeta(DATABASE_PORTS_KEY, JSON.stringify({ ...ports(), [url]: port })),
      },
    });
    this.supervisor = createProcessSupervisor({
      baseEnv: () => this.databases.processEnv(),
      stateDir: opts.dir.root,
      logDir: opts.dir.logs,
      timeScale: opts.timeScale,
      baseDirFor: (owner) => baseDirs.get(owner) ?? process.cwd(),
      onChange: () => this.podsChanged(),
      beforeStop: async (pod) => {
        try {
          await this.router.drain(pod.address, DRAIN_TIMEOUT_MS);
        } catch (e) {
          log(`drain of ${pod.name} failed: ${e instanceof Error ? e.message : String(e)}`);
        }
      },
    });
    this.router = createGatewayRouter({
      client: this.gateway.client,
      manifests: () => this.runtime.manifestSet ?? emptySet(),
      pods: () => this.supervisor.pods().map(podEndpoint),
      job: parts.job,
      initial: parts.routing,
      initialVersion: parts.gatewayVersion,
    });
    const traffic: TrafficRouter = {
      apply: async (rollout, effect) => {
        await this.router.apply(rollout, effect);
        // Kept and retried with the rollout's record when the store cannot take it (StorageGuard).
        this.runtime.storage.write(ROUTING_KEY, () => this.store.setMeta(ROUTING_KEY, JSON.stringify(this.router.routing())));
      },
    };
    const prometheus = opts.prometheusUrl ?? `${opts.apiUrl()}/prometheus`;
    this.metrics = createMetricsApp({
      prefix: '/prometheus',
      config: {
        scrapeIntervalMs: opts.scrapeIntervalMs ?? 5_000,
        scrapeTimeoutMs: Math.min(opts.scrapeIntervalMs ?? 5_000, 10_000),
        evaluationIntervalMs: opts.scrapeIntervalMs ?? 5_000,
        warnings: [],
        jobs: [
          { ...job('baton-gateway', new URL(this.gateway.info.admin).host, '/metrics', opts.scrapeIntervalMs), bearerToken: this.gateway.token },
          job('baton-runtime', new URL(opts.apiUrl()).host, '/runtime/metrics', opts.scrapeIntervalMs),
          ...(opts.extraScrapeJobs ?? []),
        ],
      },
    });
    this.migrations = createSchemaMigrationCoordinator({
      manifests: () => this.runtime.manifestSet ?? emptySet(),
      databases: this.databases,
      // Aborted revisions never get their contracts, also after a restart: kept in the store.
      abortedRevisions: {
        load: (rollout) => this.abortedRevisions(rollout),
        add: (rollout, hash) => {
          const list = this.abortedRevisions(rollout);
          if (!list.includes(hash)) this.store.setMeta(abortedRevisionsKey(rollout), JSON.stringify([...list, hash]));
        },
      },
      // While an expand runs, the stable revision's error rate from the gateway: a rise stops it.
      stableErrorRate: (name) => gatewayStableErrorRate(this.gateway.client, name, this.runtime.rollout(name)?.rolloutState.stableHash),
      clock,
      log,
      recordEvent: (e) => this.recordEvent(e),
    });
    // The embedded Prometheus answers only with the control API's token; the controller's own queries send it.
    const embedded = `${opts.apiUrl()}/prometheus`;
    const authorization = { Authorization: `Bearer ${parts.token}` };
    const providers = (): ReturnType<typeof createMetricsProviders> =>
      createMetricsProviders({ addressMap: this.addressMap, prometheusHeaders: (address) => (address === embedded ? authorization : undefined) });
    let providerFor = providers();
    this.runtime = new Runtime({
      clock,
      workloads: this.supervisor,
      traffic,
      providerFor: (spec) => providerFor(spec),
      store: this.store,
      baseDirFor: (owner) => baseDirs.get(owner),
      prepareRevision: (rollout, revision) => this.migrations.prepareRevision(rollout, revision),
      afterTick: () => this.migrations.afterTick({ rollouts: this.runtime.rolloutControllers(), pods: this.supervisor.pods() }),
      onEvent: (e) => {
        if (e.type === 'EngineError') this.recordEngineError(e);
        if (e.type === 'StorageError' || e.type === 'StorageRecovered') log(`${e.type}: ${describeEvent(e)}`);
        this.notifyEvents();
        opts.onEvent?.(e);
      },
    });
    this.onManifests = (set) => {
      baseDirs.clear();
      for (const w of [...set.rollouts, ...set.deployments]) baseDirs.set(w.metadata.name, dirname(w.source.file));
      // Every address written in a template is queried at the embedded Prometheus, or at --prometheus.
      this.addressMap = Object.fromEntries(prometheusAddresses(set).map((a) => [a, prometheus]));
      providerFor = providers();
    };
  }

  private onManifests: (set: ManifestSet) => void;

  /** Takes the state dir, starts (or re-adopts) the gateway and every process, and starts the engine. */
  static async start(opts: ControlPlaneOptions): Promise<ControlPlane> {
    secureStateDir(opts.dir);
    const releaseLock = acquireLock(opts.dir);
    let store: SqliteStore | undefined;
    let plane: ControlPlane | undefined;
    try {
      const token = ensureToken(opts.dir);
      store = openSqliteStore(opts.dir.db);
      checkProcessesKnown(opts.dir, store);
      const now = Date.now();
      const savedAnchor = store.getMeta(CLOCK_KEY);
      const anchor = nextAnchor(readStoredJson<ScaledClockAnchor | undefined>(savedAnchor, CLOCK_KEY, undefined), opts.timeScale, now);
      store.setMeta(CLOCK_KEY, JSON.stringify(anchor));
      store.setMeta(META_KEYS.timeScale, String(opts.timeScale));
      store.setMeta(META_KEYS.tokenPath, opts.dir.token);
      const manifests = new ManifestObjects();
      const stored = store.manifestObjects();
      const legacyFiles = stored ? undefined : store.appliedManifests().latest?.files;
      const inForce = stored ? manifests.fromStored(stored.objects) : legacyFiles ? manifests.split(legacyFiles) : undefined;
      const starting = startingSet(manifests, inForce, opts.files, opts.applyFiles === true, opts.dir.root);
      const { set } = manifests.parseOrThrow(starting.objects);
      const gateway = await ensureGateway(opts.dir, opts.listen);
      let gatewayVersion = 0;
      try {
        gatewayVersion = (await gateway.client.getConfig()).version;
      } catch {
        // A fresh gateway has no config yet.
      }
      const routing = readStoredJson<RolloutRouting[]>(store.getMeta(ROUTING_KEY), ROUTING_KEY, []);
      plane = new ControlPlane(opts, gateway, { store, releaseLock, token, anchor, routing, gatewayVersion, job: opts.metricsJob ?? metricsJobFor(set), manifests });
      plane.startNotice = starting.notice;
      await plane.oneSetAtATime(() => plane?.putObjectsNow(starting.objects, set, opts.actor ?? 'controller') ?? Promise.resolve());
      await plane.router.sync();
      plane.runtime.start();
      plane.metrics.start();
      plane.watchGateway();
      return plane;
    } catch (e) {
      await plane?.databases.close().catch(() => undefined);
      store?.close();
      releaseLock();
      throw e;
    }
  }

  /**
   * The gateway is its own process so it outlives the controller; the controller in turn brings
   * it back if it dies (same listen and admin addresses), with the current config.
   */
  private watchGateway(): void {
    this.gatewayWatch = setInterval(() => {
      if (this.closed || this.restartingGateway) return;
      if (isSameProcessAlive(this.gateway.info.pid, this.gateway.info.procStart)) {
        // A config this controller did not push (an out-of-band PUT /config) does not stay.
        this.router.restoreIfChanged().then((pushed) => pushed && this.opts.log?.('the gateway served a config this controller did not push; pushed its own again'), () => undefined);
        return;
      }
      this.restartingGateway = true;
      this.opts.log?.(`the gateway (pid ${this.gateway.info.pid}) is gone; starting it again on ${this.gateway.info.listen}`);
      ensureGateway(this.opts.dir, this.gateway.info.listen, new URL(this.gateway.info.admin).host)
        .then(async (g) => {
          this.gateway = g;
          await this.router.sync();
          this.recordEvent({ at: this.clock.now(), rollout: '', type: 'GatewayRestarted', pid: g.info.pid });
        })
        .catch((e: unknown) => this.opts.log?.(`the gateway did not start again: ${e instanceof Error ? e.message : String(e)}`))
        .finally(() => (this.restartingGateway = false));
    }, GATEWAY_WATCH_MS);
    this.gatewayWatch.unref();
  }

  /**
   * An event of the controller's own (not the engine's, which stores its events with its tick):
   * stored on the engine clock like every other, folded into the schema steps, and passed to
   * long-polling readers and `onEvent`.
   */
  private recordEvent(e: EngineEvent): void {
    if (!this.closed) {
      this.runtime.storage.writeNew(() => {
        this.store.appendEvent({ ...e });
        if (isSchemaStepEvent(e.type)) this.store.setMeta(schemaStepsKey(e.rollout), JSON.stringify(applySchemaEvent(this.schemaSteps(e.rollout), e)));
      });
    }
    this.notifyEvents();
    this.opts.onEvent?.(e);
  }

  /** What `GET /api/v1/status` shows. */
  status(): ControllerStatus {
    return {
      pid: process.pid,
      version: '0.1.0',
      stateDir: this.opts.dir.root,
      api: this.opts.apiUrl(),
      gateway: `http://${this.gateway.info.listen}`,
      gatewayAdmin: this.gateway.info.admin,
      prometheus: this.opts.prometheusUrl ?? `${this.opts.apiUrl()}/prometheus`,
      timeScale: this.opts.timeScale,
      startedAt: this.startedAt,
      generation: this.generation,
      addressMap: { ...this.addressMap },
      databases: this.databases.list(),
    };
  }

  list(): WorkloadSummary[] {
    return this.details().map(summaryOf);
  }

  detail(arg: string): WorkloadDetail {
    const name = this.nameOf(arg);
    const d = this.details().find((x) => x.name === name);
    if (!d) throw notFound(name, this.details());
    const steps = d.kind === 'Rollout' ? this.schemaSteps(name) : [];
    return steps.length ? { ...d, schema: steps.map((st) => ({ ...st, at: Math.round(this.toWall(st.at)) })) } : d;
  }

  /** The last step of each migration of a rollout's SchemaMigrations (kept in meta: the event log is trimmed). */
  private schemaSteps(rollout: string): SchemaStep[] {
    const key = schemaStepsKey(rollout);
    return readStoredJson<SchemaStep[]>(this.store.getMeta(key), key, []);
  }

  history(arg: string): HistoryEntry[] {
    const name = this.nameOf(arg);
    const d = this.detail(name);
    const c = this.runtime.rollout(name);
    const revs = c ? c.rolloutState.revisions : (this.runtime.deployment(name)?.deploymentState.revisions ?? []);
    return historyOf(d, (h) => revs.find((r) => r.hash === h)?.createdAt ?? 0);
  }

  /**
   * Applies manifest files as `kubectl apply` does: their objects are created or changed within
   * the set in force; with `prune`, the objects in force that the files do not hold are deleted,
   * each deletion an event and an audit record. The merged set is checked as a whole (a file
   * may refer to Services applied from another). `dryRun` answers the plan and changes nothing.
   */
  apply(req: ApplyRequest, actor: string): Promise<ApplyResult> {
    return this.oneSetAtATime(async () => {
      const plan = planApply(this.objects, this.manifests.split(req.files), { prune: req.prune === true });
      const { set, diagnostics } = this.manifests.parseOrThrow(plan.objects);
      const paths = new Set(req.files.map((f) => f.path));
      const result: ApplyResult = {
        generation: this.generation,
        changed: false,
        warnings: diagnostics.filter((d) => paths.has(d.file)).map(formatDiagnostic),
        dryRun: req.dryRun === true,
        created: plan.created.map(objectRef),
        configured: plan.configured.map(objectRef),
        unchanged: plan.unchanged.map(objectRef),
        pruned: plan.pruned.map(objectRef),
      };
      if (req.dryRun) return result;
      const before = this.generation;
      await this.putObjectsNow(plan.objects, set, actor);
      if (this.generation === before) return result;
      const at = Date.now();
      const keys = (list: ManifestObject[]): string[] => list.map(objectKey);
      this.store.recordAudit({ at, actor, action: 'apply', target: `generation ${this.generation}`, details: { files: [...paths], created: keys(plan.created), configured: keys(plan.configured), pruned: keys(plan.pruned) } });
      for (const o of plan.pruned) {
        const workload = o.kind === 'Rollout' || o.kind === 'Deployment' ? o.name : '';
        this.store.recordAudit({ at, actor, action: 'prune', target: workload || objectKey(o), details: { ...objectRef(o), generation: this.generation } });
        this.recordEvent({ at: this.clock.now(), rollout: workload, type: 'ManifestPruned', object: objectKey(o), path: o.path, generation: this.generation, actor });
      }
      return { ...result, generation: this.generation, changed: true };
    });
  }

  /** A verb on a workload. */
  async act(arg: string, req: ActionRequest, actor: string): Promise<WorkloadDetail> {
    const name = this.nameOf(arg);
    const ref = this.refOf(name);
    this.store.recordAudit({ at: Date.now(), actor, action: req.action, target: name, details: { ...req } });
    switch (req.action) {
      case 'set-image': {
        const images = req.images;
        if (!images || Object.keys(images).length === 0) throw new InvalidInputError('invalid-action', 'set-image needs images: {container: image}');
        await this.editManifests(ref, (files) => setImages(files, ref, images), actor);
        break;
      }
      case 'restart': {
        if (ref.kind === 'Deployment') await this.editManifests(ref, (files) => setRestartedAt(files, ref, new Date().toISOString()), actor);
        else await this.supervisor.restartPods(name);
        break;
      }
      case 'undo': {
        const out = await this.runtime.act(name, { type: 'undo', ...(req.toRevision !== undefined ? { toRevision: req.toRevision } : {}) });
        const template = out.template;
        if (template) await this.editManifests(ref, (files) => setTemplate(files, ref, template), actor);
        break;
      }
      case 'promote':
      case 'abort':
      case 'retry':
      case 'pause':
      case 'resume': {
        if (ref.kind !== 'Rollout') throw new InvalidInputError('invalid-action', `${req.action} applies to Rollouts; "${name}" is a Deployment (use restart or set image)`, { name });
        await this.runtime.act(name, toRolloutAction({ ...req, action: req.action }));
        break;
      }
      default: {
        const never: never = req.action;
        throw new InvalidInputError('invalid-action', `unknown action ${JSON.stringify(never)}`);
      }
    }
    await this.runtime.nextTick();
    return this.detail(name);
  }

  events(q: { workload?: string; afterId?: number; limit?: number }): EventsPage {
    const rows = this.store.events({ ...(q.workload ? { rollout: this.nameOf(q.workload) } : {}), ...(q.afterId !== undefined ? { afterId: q.afterId } : {}), limit: q.limit ?? 200 });
    const events = rows.map((e) => eventView(e, this.toWall));
    const lastId = events.length ? (events[events.length - 1] as EventView).id : (q.afterId ?? this.latestEventId());
    return { events, lastId };
  }

  /** Resolves with the events after `afterId`, as soon as there is one, or after `waitMs` with none. */
  async waitEvents(q: { workload?: string; afterId?: number; limit?: number }, waitMs: number): Promise<EventsPage> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const page = this.events(q);
      if (page.events.length || Date.now() >= deadline || this.closed) return page;
      const waiters = this.eventWaiters;
      await new Promise<void>((resolve) => {
        const t = setTimeout(done, Math.max(0, deadline - Date.now()));
        function done(): void {
          clearTimeout(t);
          waiters.delete(done);
          resolve();
        }
        waiters.add(done);
      });
    }
  }

  /** The log files of a workload's processes (of one revision, or one pod), or of one pod of any workload. */
  logs(q: { workload?: string; revision?: number; pod?: string; tail?: number }): LogsResult {
    let paths: string[];
    if (q.workload) {
      const workload = this.nameOf(q.workload);
      let hash: string | undefined;
      if (q.revision !== undefined) {
        const d = this.detail(workload);
        hash = d.revisions.find((r) => r.revision === q.revision)?.hash;
        if (!hash) throw new InvalidInputError('revision-not-found', `"${workload}" has no revision ${q.revision} (revisions: ${d.revisions.map((r) => r.revision).join(', ')})`);
      } else this.detail(workload);
      paths = this.supervisor.logs({ owner: workload, ...(hash ? { hash } : {}) });
    } else if (q.pod) {
      paths = this.details().flatMap((d) => this.supervisor.logs({ owner: d.name }));
    } else throw new InvalidInputError('invalid-query', 'logs needs a workload or a pod');
    return podLogs(paths, { ...(q.pod !== undefined ? { pod: q.pod } : {}), ...(q.tail !== undefined ? { tail: q.tail } : {}) });
  }

  /** Who did what, newest last. */
  audit(q: { workload?: string; limit?: number }): AuditView[] {
    return this.store.audit({ ...(q.workload ? { rollout: this.nameOf(q.workload) } : {}), limit: q.limit ?? 200 });
  }

  /** `kube_pod_status_ready` for every process. */
  runtimeMetrics(): string {
    return this.supervisor.podReadyMetrics();
  }

  /**
   * Stops the controller. Without `keepServices` every process is stopped properly (drained,
   * preStop, SIGTERM, grace) and then the gateway; with it both keep running for the next
   * `baton up` to re-adopt.
   */
  async shutdown(opts: { keepServices?: boolean } = {}): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.gatewayWatch);
    for (const w of this.eventWaiters) w();
    await this.runtime.stop();
    await this.migrations.close();
    await this.metrics.stop();
    if (opts.keepServices) await this.supervisor.stop();
    else {
      await this.supervisor.shutdown();
      await stopGateway(this.opts.dir);
    }
    // Last: the processes may use their database until they have stopped.
    await this.databases.close();
    this.store.close();
    this.releaseLock();
  }

  private details(): WorkloadDetail[] {
    const pods = this.supervisor.pods();
    const resolve = (a: string): string => this.addressMap[a] ?? a;
    const ts = this.opts.timeScale;
    // The age the dashboard shows: the oldest revision kept, on the wall clock.
    const born = (revs: { createdAt: number }[]): { createdAt?: number } => (revs.length ? { createdAt: Math.round(this.toWall(Math.min(...revs.map((r) => r.createdAt)))) } : {});
    return [
      ...this.runtime.rolloutControllers().map((c) => ({ ...rolloutDetail(c, pods.filter((p) => p.owner === c.name), ts, resolve), ...born(c.rolloutState.revisions) })),
      ...this.runtime.deploymentControllers().map((c) => ({ ...deploymentDetail(c, pods.filter((p) => p.owner === c.name), ts), ...born(c.deploymentState.revisions) })),
    ];
  }

  /**
   * A workload as users name it: `NAME`, or `KIND/NAME` as kubectl writes it (`rollout/`,
   * `rollouts/`, `ro/`, `deployment/`, `deployments/`, `deploy/`), which must then be of that kind.
   */
  private nameOf(arg: string): string {
    const { kind, name } = splitKindName(arg);
    if (kind === undefined) return arg;
    if (kind === 'Deployment' ? this.runtime.deployment(name) : this.runtime.rollout(name)) return name;
    throw notFound(arg, this.details());
  }

  private refOf(name: string): WorkloadRef {
    if (this.runtime.rollout(name)) return { kind: 'Rollout', name };
    if (this.runtime.deployment(name)) return { kind: 'Deployment', name };
    throw notFound(name, this.details());
  }

  /**
   * Edits the workload's object of the set in force when the edit's turn comes, so two edits
   * never start from the same set; only that object is read and parsed again.
   */
  private editManifests(ref: WorkloadRef, edit: (files: ManifestFile[]) => ManifestFile[], actor: string): Promise<void> {
    return this.oneSetAtATime(async () => {
      const i = this.objects.findIndex((o) => o.kind === ref.kind && o.name === ref.name);
      const o = this.objects[i];
      if (!o) throw new InvalidInputError('workload-not-found', `no ${ref.kind} named "${ref.name}" in the applied manifests`, { ...ref });
      const [edited] = edit([{ path: o.path, text: o.text }]);
      const next = [...this.objects];
      next[i] = { ...o, text: edited?.text ?? o.text };
      await this.putObjectsNow(next, this.manifests.parseOrThrow(next).set, actor);
    });
  }

  /**
   * One manifest set at a time: `apply`, `set image`, `undo` and `restart` may overlap, and a
   * later set must not be overtaken by an earlier one that waits for a database to open.
   */
  private oneSetAtATime<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.manifestQueue.then(fn);
    this.manifestQueue = next.then(
      () => undefined,
      () => undefined,
    );
    return next;
  }

  private async putObjectsNow(objects: ManifestObject[], set: ManifestSet, actor: string): Promise<void> {
    this.generation = this.store.applyManifestObjects({ objects: this.manifests.stored(objects), actor, at: Date.now() });
    this.objects = objects;
    this.onManifests(set);
    // Before any process of the new set starts: it gets the served databases' URLs.
    await this.databases.sync(set);
    await this.runtime.setManifests(set);
    this.podsChanged();
  }

  private manifestQueue: Promise<void> = Promise.resolve();

  private podsChanged(): void {
    this.runtime.kick();
    if (this.syncQueued || this.closed) return;
    this.syncQueued = true;
    queueMicrotask(() => {
      this.syncQueued = false;
      this.router.sync().catch((e: unknown) => this.opts.log?.(`gateway update failed: ${e instanceof Error ? e.message : String(e)}`));
    });
  }

  private notifyEvents(): void {
    // The engine reports an event before the tick saves it; wake readers once it is written.
    setImmediate(() => {
      for (const w of [...this.eventWaiters]) w();
    });
  }

  private recordEngineError(e: EngineEvent): void {
    const message = String(e.message);
    if (this.lastEngineError.get(e.rollout) === message) return;
    this.lastEngineError.set(e.rollout, message);
    if (!this.closed) this.runtime.storage.writeNew(() => this.store.appendEvent({ ...e }));
    this.opts.log?.(`${e.rollout}: ${message}`);
  }

  private abortedRevisions(rollout: string): string[] {
    return readStoredJson<string[]>(this.store.getMeta(abortedRevisionsKey(rollout)), abortedRevisionsKey(rollout), []);
  }

  private latestEventId(): number {
    const last = this.store.events({ limit: 1 });
    return last[0]?.id ?? 0;
  }
}

/** The meta key the revisions whose schema expand was aborted are kept under. */
const abortedRevisionsKey = (rollout: string): string => `schema.aborted.${rollout}`;

function job(name: string, host: string, path: string, intervalMs = 5_000): ScrapeJobConfig {
  return { jobName: name, scrapeIntervalMs: intervalMs, scrapeTimeoutMs: Math.min(intervalMs, 10_000), metricsPath: path, honorLabels: true, honorTimestamps: true, targets: [{ address: host, labels: {} }] };
}

function podEndpoint(p: PodInfo): { owner: string; hash: string; namespace: string; labels: Record<string, string>; address: string; ready: boolean } {
  return { owner: p.owner, hash: p.hash, namespace: p.namespace, labels: p.labels, address: p.address, ready: p.ready && p.pid > 0 && p.phase !== 'Terminating' };
}

function emptySet(): ManifestSet {
  return { rollouts: [], analysisTemplates: [], clusterAnalysisTemplates: [], services: [], deployments: [], virtualServices: [], destinationRules: [], gateways: [] };
}

function notFound(name: string, all: WorkloadDetail[]): BatonError {
  const names = all.map((d) => `${d.kind.toLowerCase()}/${d.name}`).join(', ');
  return new BatonError('workload-not-found', `no Rollout or Deployment named "${name}"${names ? ` (there are: ${names})` : ''}`, { name });
}

function toRolloutAction(req: ActionRequest & { action: 'promote' | 'abort' | 'retry' | 'pause' | 'resume' }): RolloutAction {
  switch (req.action) {
    case 'promote':
      return req.full ? { type: 'promote-full' } : { type: 'promote' };
    case 'abort':
      return req.reason ? { type: 'abort', reason: req.reason } : { type: 'abort' };
    case 'retry':
    case 'pause':
    case 'resume':
      return { type: req.action };
  }
}

function eventView(e: StoredEvent, toWall: (at: number) => number): EventView {
  const { id, at, rollout, type, ...fields } = e;
  return { id, at, wallAt: Math.round(toWall(at)), workload: rollout, type, message: describeEvent({ type, ...fields }), fields };
}
