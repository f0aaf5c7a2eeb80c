/**
 * The single-host `Workloads`: every pod is a real process (docs/local-runtime.md). Pods are
 * recorded on disk as they change, so a controller that dies with `kill -9` leaves its processes
 * running and a new supervisor on the same state directory re-adopts them and resumes probing.
 */
import type { ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { BatonError, InvalidInputError } from '../../../core/errors.js';
import type { ObservedRevision } from '../../../core/rollout/index.js';
import type { Container, Probe } from '../../../core/spec/types.js';
import type { RevisionWorkload, Workloads } from '../../../ports/workloads.js';
import { BACKOFF_RESET_MS, restartDelayMs } from './backoff.js';
import { newPodName, podFilePattern } from './pod-name.js';
import { pickFreePort, runPreStop, spawnDetached } from './pod-process.js';
import { createPodRecordStore, isSameProcessAlive, processStartTime, signalGroup, type PodRecord } from './pod-record.js';
import { formatPodReadyMetrics } from './pod-ready-metrics.js';
import { firstContainer, localPort, podProcessSpec } from './pod-spec.js';
import { runProbe, startProbeWorker, tcpProbe, type ProbeResult, type ProbeTarget } from './probes.js';

/**
 * `Starting`: the process runs and has not been ready since it started; `Running`: it has been
 * ready (see `ready` for now); `Terminating`: being stopped; `Failed`: no process, waiting out
 * the restart back-off.
 */
export type PodPhase = 'Starting' | 'Running' | 'Terminating' | 'Failed';

/** One pod as the runtime, the CLI and the gateway wiring see it. */
export interface PodInfo {
  /** `<owner>-<hash>-<5 chars>`. */
  name: string;
  owner: string;
  hash: string;
  revision: number;
  namespace: string;
  /** The pod's labels: the template's plus the revision's hash label (Services select by them). */
  labels: Record<string, string>;
  /** 0 while no process runs. */
  pid: number;
  port: number;
  /** `127.0.0.1:<port>`. */
  address: string;
  phase: PodPhase;
  ready: boolean;
  restarts: number;
  /** When the current process started (epoch ms). */
  startedAt: number;
  readySince?: number;
}

/** A revision as the supervisor runs it (the port's type; the name is kept for its callers). */
export type ProcessRevisionWorkload = RevisionWorkload;

export interface ProcessSupervisorOptions {
  /** Pod records live in `stateDir/pods`. */
  stateDir: string;
  /** Per-pod log files; default `stateDir/logs`. */
  logDir?: string;
  /** Namespace of workloads that do not give one; default "default". */
  namespace?: string;
  /** Called whenever something observable changes (a pod started, ready, unready, stopped). */
  onChange?: () => void;
  /** Takes the pod out of the gateway and resolves when its in-flight requests are drained. */
  beforeStop?: (pod: PodInfo) => Promise<void>;
  /** The manifest directory of `owner`, which relative `workingDir`s resolve against; default cwd. */
  baseDirFor?: (owner: string) => string;
  /** Multiplies Baton's own delays (probe periods, initial delays, back-off, preStop sleep). */
  timeScale?: number;
  /**
   * Variables every new process gets (under its container's own `env`, which wins), read when
   * the process is created: `baton up` passes the URLs of the embedded databases it serves.
   */
  baseEnv?: () => Record<string, string>;
}

export interface ProcessSupervisor extends Workloads {
  scale(workload: ProcessRevisionWorkload, replicas: number): Promise<void>;
  pods(owner?: string): PodInfo[];
  /** Addresses of the ready pods of one revision. */
  endpoints(owner: string, hash: string): string[];
  /** `kube_pod_status_ready` for every pod, in the Prometheus text format. */
  podReadyMetrics(): string;
  /** Log files of one pod, or of every pod of an owner (one revision with `hash`), past ones too. */
  logs(target: string | { owner: string; hash?: string }): string[];
  /**
   * Replaces every pod of `owner`, one at a time, new before old (Argo's `restart`, surge-style):
   * a new pod of the same revision starts, and once it is ready the old one is stopped properly.
   * A replacement not ready within `readyTimeoutMs` is stopped and the restart ends with an error.
   */
  restartPods(owner: string, readyTimeoutMs?: number): Promise<void>;
  /** Stops supervising without touching the processes: a new supervisor re-adopts them. */
  stop(): Promise<void>;
  /** Stops every pod properly (drain, preStop, SIGTERM, grace, SIGKILL), then supervising. */
  shutdown(): Promise<void>;
}

interface Pod {
  rec: PodRecord;
  phase: PodPhase;
  container: Container;
  child?: ChildProcess;
  running: boolean;
  /** Counts process starts, so events of an earlier process are ignored. */
  incarnation: number;
  exited: Promise<void>;
  markExited: () => void;
  probes?: AbortController;
  timers: Set<NodeJS.Timeout>;
  /** Restarts in a row without a long good run, for the back-off. */
  consecutive: number;
  stopping?: Promise<void>;
}

interface RevisionInfo {
  revision: number;
  namespace: string;
  minReadySeconds: number;
}

/** How often a re-adopted process (not our child, so no exit event) is checked. */
const ADOPTED_POLL_MS = 100;
/** How often a pod without a readiness probe is tried for an open port. */
const PORT_POLL_MS = 100;
/** The kubelet's one-time extension when preStop used up the grace period. */
const PRESTOP_OVERRUN_GRACE_MS = 2_000;

/**
 * Starts supervising: re-adopts the live processes recorded in `stateDir/pods` (finishing any stop
 * in progress), then runs pods as `scale` asks. See the file comment and docs/local-runtime.md.
 */
export function createProcessSupervisor(opts: ProcessSupervisorOptions): ProcessSupervisor {
  const timeScale = opts.timeScale ?? 1;
  if (!(timeScale > 0)) throw new InvalidInputError('invalid-time-scale', `time scale ${timeScale} must be a number above 0`, { timeScale });
  const logDir = opts.logDir ?? join(opts.stateDir, 'logs');
  const store = createPodRecordStore(opts.stateDir);
  const pods = new Map<string, Pod>();
  const revisions = new Map<string, Map<string, RevisionInfo>>();
  const stopping = new Set<Promise<void>>();
  let stopped = false;
  let queue: Promise<unknown> = Promise.resolve();

  const changed = (): void => {
    if (!stopped) opts.onChange?.();
  };
  const persist = (pod: Pod): void => {
    if (!stopped) store.write(pod.rec);
  };
  const revisionsOf = (owner: string): Map<string, RevisionInfo> => {
    let m = revisions.get(owner);
    if (!m) revisions.set(owner, (m = new Map<string, RevisionInfo>()));
    return m;
  };
  const later = (pod: Pod, ms: number, fn: () => void): void => {
    const t = setTimeout(() => {
      pod.timers.delete(t);
      if (!stopped) fn();
    }, Math.min(Math.max(0, ms), 2_147_483_647));
    pod.timers.add(t);
  };
  const info = (pod: Pod): PodInfo => {
    const r = pod.rec;
    const p: PodInfo = {
      name: r.name,
      owner: r.owner,
      hash: r.hash,
      revision: r.revision,
      namespace: r.namespace,
      labels: r.labels ?? { ...r.template.metadata.labels },
      pid: pod.running ? r.pid : 0,
      port: r.port,
      address: `127.0.0.1:${r.port}`,
      phase: pod.phase,
      ready: r.ready,
      restarts: r.restarts,
      startedAt: r.startedAt,
    };
    if (r.readySince !== undefined) p.readySince = r.readySince;
    return p;
  };
  const target = (pod: Pod): ProbeTarget => ({ port: pod.rec.port, cwd: pod.rec.cwd, env: pod.rec.env });
  const newExited = (pod: Pod): void => {
    pod.exited = new Promise<void>((resolve) => (pod.markExited = resolve));
  };
  const waitExited = async (pod: Pod, ms: number): Promise<boolean> => {
    if (!pod.running) return true;
    let t: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => (t = setTimeout(() => resolve(false), Math.max(0, ms))));
    const r = await Promise.race([pod.exited.then(() => true), timeout]);
    clearTimeout(t);
    return r;
  };

  /** Restart waits on a replacement: called with true once it is ready, false if it is stopped first. */
  const readyWaiters = new Map<string, (ready: boolean) => void>();

  function setReady(pod: Pod, ready: boolean): void {
    if (pod.rec.ready === ready) return;
    pod.rec.ready = ready;
    if (ready) readyWaiters.get(pod.rec.name)?.(true);
    if (ready) {
      pod.rec.readySince = Date.now();
      if (pod.phase === 'Starting') pod.phase = 'Running';
      // Available is ready for minReadySeconds: say so when that time comes.
      const min = pod.rec.minReadySeconds * 1000 * timeScale;
      if (min > 0) later(pod, min, changed);
    } else {
      delete pod.rec.readySince;
    }
    persist(pod);
    changed();
  }

  function startProbes(pod: Pod, adopted: boolean): void {
    pod.probes?.abort();
    const ac = new AbortController();
    pod.probes = ac;
    const c = pod.container;
    const portOf = (p: { httpGet?: { port?: string | number }; tcpSocket?: { port: string | number } }): number =>
      localPort(p.httpGet?.port ?? p.tcpSocket?.port, c, pod.rec.port);
    const incarnation = pod.incarnation;
    const live = (): boolean => !ac.signal.aborted && pod.incarnation === incarnation && pod.running;
    const watch = (probe: Probe, signal: AbortSignal, onResult: (r: ProbeResult) => void, from: { initial?: ProbeResult; skipInitialDelay?: boolean } = {}): void =>
      startProbeWorker({ probe, attempt: () => runProbe(probe, target(pod), portOf), timeScale, signal, onResult, ...from });

    const startMain = (): void => {
      if (c.readinessProbe) {
        watch(c.readinessProbe, ac.signal, (r) => live() && setReady(pod, r === 'success'), {
          initial: adopted && pod.rec.ready ? 'success' : 'failure',
          skipInitialDelay: adopted,
        });
      } else if (c.ports.length > 0) {
        // No readiness probe: ready once the port accepts a connection, then for good.
        const tryPort = async (): Promise<void> => {
          if (!live()) return;
          if (await tcpProbe(pod.rec.port, 1000)) {
            if (live()) setReady(pod, true);
          } else if (live()) later(pod, PORT_POLL_MS, () => void tryPort());
        };
        if (!pod.rec.ready) void tryPort();
      } else {
        setReady(pod, true);
      }
      if (c.livenessProbe) {
        watch(
          c.livenessProbe,
          ac.signal,
          (r) => {
            if (r === 'failure' && live()) void restartUnhealthy(pod);
          },
          { initial: 'success' },
        );
      }
    };

    if (c.startupProbe && !adopted) {
      // Readiness and liveness wait until the startup probe succeeds (Kubernetes startupProbe).
      const startup = new AbortController();
      ac.signal.addEventListener('abort', () => startup.abort(), { once: true });
      watch(c.startupProbe, startup.signal, (r) => {
        if (!live()) return;
        startup.abort();
        if (r === 'success') startMain();
        else void restartUnhealthy(pod);
      });
    } else {
      startMain();
    }
  }

  /** Follows the current process until it exits: its exit event, or polling when adopted. */
  function watchExit(pod: Pod): void {
    const incarnation = pod.incarnation;
    const onExit = (): void => {
      if (pod.incarnation !== incarnation || !pod.running) return;
      handleExit(pod);
    };
    if (pod.child) {
      pod.child.once('exit', onExit);
      return;
    }
    const poll = (): void => {
      if (pod.incarnation !== incarnation || !pod.running) return;
      if (isSameProcessAlive(pod.rec.pid, pod.rec.procStart)) later(pod, ADOPTED_POLL_MS, poll);
      else onExit();
    };
    later(pod, ADOPTED_POLL_MS, poll);
  }

  function handleExit(pod: Pod): void {
    pod.running = false;
    pod.probes?.abort();
    // Whatever the process left in its group goes with it, as a container's processes do.
    signalGroup(pod.rec.pid, 'SIGKILL');
    pod.markExited();
    if (stopped || pod.phase === 'Terminating') return;
    const ranMs = Date.now() - pod.rec.startedAt;
    if (ranMs >= BACKOFF_RESET_MS * timeScale) pod.consecutive = 0;
    pod.consecutive++;
    pod.phase = 'Failed';
    pod.rec.ready = false;
    delete pod.rec.readySince;
    persist(pod);
    changed();
    later(pod, restartDelayMs(pod.consecutive, timeScale), () => {
      if (pod.phase !== 'Failed') return;
      pod.rec.restarts++;
      launch(pod);
    });
  }

  function launch(pod: Pod): void {
    pod.incarnation++;
    newExited(pod);
    pod.rec.startedAt = Date.now();
    pod.rec.ready = false;
    delete pod.rec.readySince;
    let child: ChildProcess | undefined;
    try {
      child = spawnDetached(pod.rec.argv, pod.rec.cwd, pod.rec.env, pod.rec.logFile);
    } catch (e) {
      spawnFailed(pod, e);
      return;
    }
    if (child.pid === undefined) {
      // No such command or directory: the error event says which; a restart with back-off follows.
      child.once('error', (e) => spawnFailed(pod, e));
      pod.phase = 'Failed';
      pod.rec.pid = 0;
      pod.rec.procStart = null;
      return;
    }
    pod.child = child;
    pod.running = true;
    pod.phase = 'Starting';
    pod.rec.pid = child.pid;
    pod.rec.procStart = processStartTime(child.pid);
    persist(pod);
    watchExit(pod);
    startProbes(pod, false);
    changed();
  }

  /** A process that could not start counts as one that exited at once; its log says why. */
  function spawnFailed(pod: Pod, e: unknown): void {
    const why = e instanceof Error ? e.message : String(e);
    try {
      appendFileSync(pod.rec.logFile, `baton: cannot start ${JSON.stringify(pod.rec.argv[0])} in ${pod.rec.cwd}: ${why}\n`);
    } catch {
      // The log directory itself is unusable; the pod's phase still tells.
    }
    pod.running = true;
    pod.rec.pid = 0;
    pod.rec.procStart = null;
    handleExit(pod);
  }

  /** preStop, SIGTERM to the group, the rest of the grace period, SIGKILL. */
  async function terminateProcess(pod: Pod): Promise<void> {
    if (!pod.running) return;
    const graceMs = pod.rec.template.spec.terminationGracePeriodSeconds * 1000;
    const deadline = Date.now() + graceMs;
    const preStop = pod.container.lifecycle?.preStop;
    if (preStop) await runPreStop(preStop, target(pod), localPort(preStop.httpGet?.port, pod.container, pod.rec.port), graceMs, timeScale);
    if (stopped || !pod.running) return;
    signalGroup(pod.rec.pid, 'SIGTERM');
    let rest = deadline - Date.now();
    if (preStop && rest <= 0) rest = PRESTOP_OVERRUN_GRACE_MS;
    if (await waitExited(pod, rest)) return;
    if (stopped) return;
    signalGroup(pod.rec.pid, 'SIGKILL');
    await waitExited(pod, 5_000);
  }

  /** A failed liveness or startup probe: the process is stopped and restarted with back-off. */
  async function restartUnhealthy(pod: Pod): Promise<void> {
    pod.probes?.abort();
    setReady(pod, false);
    await terminateProcess(pod);
  }

  /** Scale-downs do not wait for the stop; a stop that fails is reported, not dropped. */
  function stopInBackground(pod: Pod): void {
    stopPod(pod).catch((e: unknown) => {
      process.emitWarning(`baton: stopping pod ${pod.rec.name} failed: ${e instanceof Error ? e.message : String(e)}`);
    });
  }

  function stopPod(pod: Pod): Promise<void> {
    if (pod.stopping) return pod.stopping;
    readyWaiters.get(pod.rec.name)?.(false);
    pod.phase = 'Terminating';
    pod.rec.terminating = true;
    pod.probes?.abort();
    for (const t of pod.timers) clearTimeout(t);
    pod.timers.clear();
    if (pod.running && !pod.child) watchExit(pod);
    pod.rec.ready = false;
    delete pod.rec.readySince;
    persist(pod);
    changed();
    const p = (async () => {
      try {
        await opts.beforeStop?.(info(pod));
      } catch {
        // A drain that failed must not keep the pod alive: stopping goes on.
      }
      await terminateProcess(pod);
      if (stopped) return;
      store.remove(pod.rec.name);
      pods.delete(pod.rec.name);
      changed();
    })();
    pod.stopping = p;
    stopping.add(p);
    void p.finally(() => stopping.delete(p));
    return p;
  }

  /**
   * Which pods a scale-down removes first, as a ReplicaSet ranks them
   * (`pkg/controller/controller_utils.go` ActivePods.Less): no process before a running one,
   * not ready before ready, ready for a shorter time, more restarts, then the newest.
   */
  function deletionOrder(a: Pod, b: Pod): number {
    if (a.running !== b.running) return a.running ? 1 : -1;
    if (a.rec.ready !== b.rec.ready) return a.rec.ready ? 1 : -1;
    if (a.rec.ready && b.rec.ready && a.rec.readySince !== b.rec.readySince) return (b.rec.readySince ?? 0) - (a.rec.readySince ?? 0);
    if (a.rec.restarts !== b.rec.restarts) return b.rec.restarts - a.rec.restarts;
    return b.rec.createdAt - a.rec.createdAt;
  }

  const activePods = (owner: string, hash?: string): Pod[] =>
    [...pods.values()].filter((p) => p.rec.owner === owner && (hash === undefined || p.rec.hash === hash) && p.phase !== 'Terminating');

  async function doScale(w: ProcessRevisionWorkload, replicas: number): Promise<void> {
    if (stopped) throw new BatonError('supervisor-stopped', `cannot scale ${w.owner}: the supervisor was stopped`, { owner: w.owner });
    if (!Number.isInteger(replicas) || replicas < 0) {
      throw new InvalidInputError('invalid-replicas', `${w.owner}: replicas ${replicas} must be a whole number >= 0`, { owner: w.owner, replicas });
    }
    const namespace = w.namespace ?? opts.namespace ?? 'default';
    const rev: RevisionInfo = { revision: w.revision, namespace, minReadySeconds: w.minReadySeconds ?? 0 };
    revisionsOf(w.owner).set(w.hash, rev);
    const baseDir = opts.baseDirFor?.(w.owner) ?? process.cwd();
    const container = firstContainer(w.template, w.owner);
    const labels = { ...w.template.metadata.labels, ...w.extraLabels };
    // Bad templates fail here, before any process starts.
    podProcessSpec(w.template, { owner: w.owner, name: `${w.owner}-${w.hash}-xxxxx`, namespace, port: 1, labels }, baseDir);
    const current = activePods(w.owner, w.hash);
    for (let i = current.length; i < replicas; i++) {
      const name = newPodName(w.owner, w.hash, (n) => pods.has(n) || existsSync(join(store.dir, `${n}.json`)));
      // The kernel may hand out a port again that a pod of ours was given but not yet bound.
      let port = await pickFreePort();
      while ([...pods.values()].some((p) => p.rec.port === port)) port = await pickFreePort();
      const spec = podProcessSpec(w.template, { owner: w.owner, name, namespace, port, labels }, baseDir);
      const now = Date.now();
      const pod: Pod = {
        rec: {
          name,
          owner: w.owner,
          hash: w.hash,
          revision: w.revision,
          namespace,
          pid: 0,
          procStart: null,
          port,
          createdAt: now,
          startedAt: now,
          restarts: 0,
          ready: false,
          template: w.template,
          labels,
          argv: spec.argv,
          cwd: spec.cwd,
          env: { ...(opts.baseEnv?.() ?? {}), ...spec.env },
          minReadySeconds: rev.minReadySeconds,
          logFile: join(logDir, `${name}.log`),
        },
        phase: 'Starting',
        container,
        running: false,
        incarnation: 0,
        exited: Promise.resolve(),
        markExited: () => undefined,
        timers: new Set(),
        consecutive: 0,
      };
      pods.set(name, pod);
      launch(pod);
    }
    if (current.length > replicas) {
      const victims = [...current].sort(deletionOrder).slice(0, current.length - replicas);
      for (const v of victims) stopInBackground(v);
    }
  }

  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const p = queue.then(fn);
    queue = p.catch(() => undefined);
    return p;
  };

  // Re-adopt what a previous supervisor left running.
  const { records, broken } = store.list();
  for (const name of broken) store.remove(name);
  for (const rec of records) {
    const alive = rec.pid > 0 && isSameProcessAlive(rec.pid, rec.procStart);
    if (!alive) {
      store.remove(rec.name);
      continue;
    }
    const container = rec.template.spec.containers[0];
    if (!container) {
      store.remove(rec.name);
      continue;
    }
    const pod: Pod = {
      rec,
      phase: rec.ready ? 'Running' : 'Starting',
      container,
      running: true,
      incarnation: 1,
      exited: Promise.resolve(),
      markExited: () => undefined,
      timers: new Set(),
      consecutive: 0,
    };
    newExited(pod);
    pods.set(rec.name, pod);
    const revs = revisionsOf(rec.owner);
    if (!revs.has(rec.hash)) revs.set(rec.hash, { revision: rec.revision, namespace: rec.namespace, minReadySeconds: rec.minReadySeconds });
    if (rec.terminating) {
      stopInBackground(pod);
    } else {
      watchExit(pod);
      startProbes(pod, true);
    }
  }

  async function restartOne(old: Pod, readyTimeoutMs: number): Promise<void> {
    const r = old.rec;
    const w: ProcessRevisionWorkload = { owner: r.owner, hash: r.hash, revision: r.revision, template: r.template, namespace: r.namespace, minReadySeconds: r.minReadySeconds, ...(r.labels ? { extraLabels: r.labels } : {}) };
    const before = new Set(pods.keys());
    // Checked in the scaling queue: a revision scaled down meanwhile gets no replacement.
    let skipped = false;
    await serial(async () => {
      if (old.phase === 'Terminating' || !pods.has(r.name)) skipped = true;
      else await doScale(w, activePods(r.owner, r.hash).length + 1);
    });
    if (skipped) return;
    const fresh = [...pods.values()].find((p) => !before.has(p.rec.name));
    if (!fresh) return;
    const outcome = await new Promise<'ready' | 'stopped' | 'timeout'>((resolve) => {
      if (fresh.rec.ready) return resolve('ready');
      const t = setTimeout(() => {
        readyWaiters.delete(fresh.rec.name);
        resolve('timeout');
      }, readyTimeoutMs);
      readyWaiters.set(fresh.rec.name, (ready) => {
        clearTimeout(t);
        readyWaiters.delete(fresh.rec.name);
        resolve(ready ? 'ready' : 'stopped');
      });
    });
    // The revision was scaled down while its replacement started: nothing left to replace.
    if (outcome === 'stopped') return;
    if (outcome === 'timeout') {
      await stopPod(fresh);
      throw new BatonError('restart-failed', `restart of ${r.owner}: the replacement ${fresh.rec.name} was not ready within ${Math.round(readyTimeoutMs / 1000)} s; ${r.name} keeps running`, { owner: r.owner, pod: fresh.rec.name });
    }
    if (old.phase === 'Terminating' || !pods.has(r.name)) return;
    await stopPod(old);
  }

  return {
    async restartPods(owner, readyTimeoutMs = 600_000) {
      const olds = [...pods.values()].filter((p) => p.rec.owner === owner && p.phase !== 'Terminating').sort((a, b) => a.rec.createdAt - b.rec.createdAt);
      for (const old of olds) await restartOne(old, readyTimeoutMs);
    },
    scale: (w, replicas) => serial(() => doScale(w, replicas)),
    remove: (owner, hash) =>
      serial(() => {
        for (const p of activePods(owner, hash)) stopInBackground(p);
        revisionsOf(owner).delete(hash);
        return Promise.resolve();
      }),
    observe(owner): ObservedRevision[] {
      const now = Date.now();
      const out: ObservedRevision[] = [];
      for (const [hash, rev] of revisionsOf(owner)) {
        const list = activePods(owner, hash);
        const ready = list.filter((p) => p.rec.ready);
        const minMs = rev.minReadySeconds * 1000 * timeScale;
        const available = ready.filter((p) => now - (p.rec.readySince ?? now) >= minMs);
        out.push({ hash, replicas: list.length, readyReplicas: ready.length, availableReplicas: available.length });
      }
      return out;
    },
    pods: (owner) =>
      [...pods.values()]
        .filter((p) => owner === undefined || p.rec.owner === owner)
        .sort((a, b) => a.rec.createdAt - b.rec.createdAt || a.rec.name.localeCompare(b.rec.name))
        .map(info),
    endpoints: (owner, hash) => activePods(owner, hash).filter((p) => p.rec.ready && p.running).map((p) => `127.0.0.1:${p.rec.port}`),
    podReadyMetrics: () =>
      formatPodReadyMetrics([...pods.values()].map((p) => ({ namespace: p.rec.namespace, pod: p.rec.name, ready: p.rec.ready }))),
    logs(t) {
      if (typeof t === 'string') {
        const file = pods.get(t)?.rec.logFile ?? join(logDir, `${t}.log`);
        return existsSync(file) ? [file] : [];
      }
      if (!existsSync(logDir)) return [];
      const re = podFilePattern(t.owner, t.hash);
      return readdirSync(logDir)
        .filter((f) => re.test(f))
        .sort()
        .map((f) => join(logDir, f));
    },
    stop() {
      stopped = true;
      for (const p of pods.values()) {
        p.probes?.abort();
        for (const t of p.timers) clearTimeout(t);
        p.timers.clear();
        p.child?.removeAllListeners('exit');
        p.child?.removeAllListeners('error');
      }
      pods.clear();
      return Promise.resolve();
    },
    async shutdown() {
      await queue;
      await Promise.all([...pods.values()].map((p) => stopPod(p)));
      await Promise.all([...stopping]);
      await this.stop();
    },
  };
}
