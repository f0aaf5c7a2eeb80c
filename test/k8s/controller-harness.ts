/**
 * What the Kubernetes tests share: `baton controller` as a real child process against a test bed
 * (started from the sources), the tbyte example's frontend objects applied to the cluster, and a
 * real Prometheus scraping kube-state-metrics (for the seed's `kube_pod_status_ready`) and a test
 * exporter standing in for the services' request metrics.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startExporter, type Exporter } from '../support/exporter.js';
import type { Testbed } from '../support/k8s-testbed.js';
import { waitFor } from '../support/net.js';
import { startPrometheus, type RunningPrometheus } from '../support/prometheus.js';

const ROOT = resolve(import.meta.dirname, '../..');
export const BATON = join(ROOT, 'bin', 'baton.js');
export const FRONTEND = 'tbyte-microservices-frontend';
export const NS = 'tbyte';
const MANIFESTS = join(ROOT, 'examples/tbyte/manifests');
/** The frontend's objects (the backend is a plain Deployment, and the Gateway lives in istio-system). */
export const FRONTEND_FILES = ['frontend-services.yaml', 'frontend-virtualservice.yaml', 'frontend-analysis.yaml', 'frontend-canary-health.yaml', 'frontend-rollout.yaml'];

export interface ControllerProcess {
  proc: ChildProcess;
  output(): string;
  /** Resolves when the output has a line matching `re`. */
  waitForLine(re: RegExp, timeoutMs?: number): Promise<string>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts `baton controller --kubeconfig <bed> ...args`. */
export function startController(bed: Testbed, args: string[]): ControllerProcess {
  const proc = spawn(process.execPath, [BATON, 'controller', '--kubeconfig', bed.kubeconfig, ...args], {
    env: { ...process.env, BATON_FROM_SOURCE: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout?.on('data', (b: Buffer) => (out += b.toString()));
  proc.stderr?.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  return {
    proc,
    output: () => out,
    waitForLine: (re, timeoutMs = 60_000) =>
      waitFor(() => {
        if (proc.exitCode !== null) throw new Error(`baton controller exited (${proc.exitCode}):\n${out}`);
        return out.split('\n').find((l) => re.test(l));
      }, timeoutMs, `a controller line matching ${re}`),
    async stop(signal = 'SIGTERM') {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      return exited;
    },
  };
}

/** Creates the tbyte namespace and applies the frontend's objects as the example has them. */
export async function applyFrontend(bed: Testbed): Promise<void> {
  await bed.kubectl(['create', 'namespace', NS]);
  for (const f of FRONTEND_FILES) await bed.kubectl(['apply', '-f', '-'], readFileSync(join(MANIFESTS, f), 'utf8'));
}

/** A JSON patch that sets the frontend container's image (what `kubectl argo rollouts set image` changes). */
export async function setImage(bed: Testbed, image: string): Promise<void> {
  await bed.kubectl(['-n', NS, 'patch', 'rollout', FRONTEND, '--type', 'json', '-p', JSON.stringify([{ op: 'replace', path: '/spec/template/spec/containers/0/image', value: image }])]);
}

export interface Metrics {
  prometheus: RunningPrometheus;
  exporter: Exporter;
  /** Stops the traffic generator, Prometheus and the exporter. */
  stop(): Promise<void>;
  /** From now on, this share of the requests of revision `hash` fail with 500. */
  failRevision(hash: string, share: number): void;
}

/**
 * The request metrics the seed's analysis reads, generated: every 200 ms, 20 requests of the
 * stable revision and of any revision named with `failRevision`, 50 ms each; a real Prometheus
 * scrapes them (job `tbyte-microservices`, kept with honor_labels) and kube-state-metrics every
 * second.
 */
export async function startMetrics(bed: Testbed): Promise<Metrics> {
  const exporter = await startExporter();
  exporter.defineHistogram('http_request_duration_seconds', [0.05, 0.1, 0.25, 0.5, 1, 2.5]);
  const failing = new Map<string, number>();
  const base = { job: 'tbyte-microservices', rollout: FRONTEND };
  const tick = (): void => {
    for (const [revision, share] of [['stable', 0] as const, ...failing]) {
      const bad = Math.round(20 * share);
      exporter.incCounter('http_requests_total', { ...base, revision, status: '200' }, 20 - bad);
      if (bad) exporter.incCounter('http_requests_total', { ...base, revision, status: '500' }, bad);
      for (let i = 0; i < 20; i++) exporter.observe('http_request_duration_seconds', { ...base, revision }, 0.04);
    }
  };
  tick();
  const timer = setInterval(tick, 200);
  const prometheus = await startPrometheus(`global: {scrape_interval: 1s, evaluation_interval: 1s}
scrape_configs:
- job_name: tbyte-microservices
  honor_labels: true
  static_configs: [{targets: ['${exporter.target}']}]
- job_name: kube-state-metrics
  honor_labels: true
  static_configs: [{targets: ['${bed.env.TESTBED_KUBE_STATE_METRICS ?? ''}']}]
`);
  return {
    prometheus,
    exporter,
    failRevision: (hash, share) => failing.set(hash, share),
    async stop() {
      clearInterval(timer);
      await prometheus.stop();
      await exporter.close();
    },
  };
}

/** The parts of objects the tests read. */
export interface RolloutObject {
  metadata: { generation: number; annotations?: Record<string, string> };
  spec: { replicas: number };
  status?: {
    phase?: string;
    message?: string;
    currentPodHash?: string;
    stableRS?: string;
    currentStepIndex?: number;
    observedGeneration?: string;
    abort?: boolean;
    pauseConditions?: { reason: string }[] | null;
    canary?: { weights?: { canary: { weight: number; podTemplateHash?: string }; stable: { weight: number; podTemplateHash?: string } }; currentStepAnalysisRunStatus?: { name: string; status: string } | null; currentBackgroundAnalysisRunStatus?: { name: string; status: string } | null };
    conditions?: { type: string; status: string; reason: string; message: string }[];
    replicas?: number;
    updatedReplicas?: number;
    availableReplicas?: number;
  };
}

export interface VirtualServiceObject {
  spec: { http: { route: { destination: { host: string }; weight?: number }[] }[] };
}

export interface NamedList<T = Record<string, unknown>> {
  items: ({ metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string>; ownerReferences?: { kind: string; name: string; controller?: boolean }[] } } & T)[];
}

/** [stable weight, canary weight] of the frontend VirtualService's route. */
export async function vsWeights(bed: Testbed): Promise<[number, number]> {
  const vs = await bed.getJson<VirtualServiceObject>(['-n', NS, 'get', 'virtualservice', 'tbyte-microservices-gateway-vs']);
  const route = vs.spec.http[0]?.route ?? [];
  const w = (host: string): number => route.find((d) => d.destination.host === host)?.weight ?? -1;
  return [w(FRONTEND), w(`${FRONTEND}-canary`)];
}

export async function rolloutObject(bed: Testbed): Promise<RolloutObject> {
  return bed.getJson<RolloutObject>(['-n', NS, 'get', 'rollout', FRONTEND]);
}
