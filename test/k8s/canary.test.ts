/**
 * The seed's frontend Rollout on a real cluster with `baton controller` as its controller: the
 * first deploy, a good release through 10/25/50/75/100 with the VirtualService weights,
 * ReplicaSets, Service selectors and AnalysisRuns as Argo Rollouts writes them (its analysis
 * answered by a real Prometheus scraping kube-state-metrics and a test exporter), and a bad
 * release that the canary's own analysis aborts with Argo's message, the weights back on stable.
 * Runs at --time-scale 0.1.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasPrometheus } from '../support/prometheus.js';
import { startTestbed, testbedUnavailable, type Testbed } from '../support/k8s-testbed.js';
import { waitFor } from '../support/net.js';
import { applyFrontend, FRONTEND, NS, rolloutObject, setImage, startController, startMetrics, vsWeights, type ControllerProcess, type Metrics, type NamedList } from './controller-harness.js';

const unavailable = testbedUnavailable() ?? (hasPrometheus() ? undefined : 'no prometheus binary (Debian package prometheus)');

interface ReplicaSetFields {
  spec: { replicas: number; selector: { matchLabels: Record<string, string> } };
  status: { availableReplicas?: number };
}
interface AnalysisRunFields {
  spec: { metrics: { name: string }[]; args?: { name: string; value?: string }[] };
  status?: { phase: string; message?: string; metricResults?: { name: string; phase: string; count: number; measurements: { phase: string; value?: string }[] }[] };
}

describe.skipIf(unavailable !== undefined)(`baton controller: the tbyte frontend canary${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let bed: Testbed;
  let metrics: Metrics;
  let controller: ControllerProcess;
  /** Every [stable, canary] weight pair seen on the VirtualService, in order, without repeats. */
  const seen: string[] = [];
  let watching = true;
  let watcher: Promise<void>;

  beforeAll(async () => {
    bed = await startTestbed();
    metrics = await startMetrics(bed);
    await applyFrontend(bed);
    controller = startController(bed, ['--time-scale', '0.1', '--prometheus', metrics.prometheus.url, '--metrics', '127.0.0.1:0', '--workers', '4']);
    await controller.waitForLine(/caches synced/);
    watcher = (async () => {
      while (watching) {
        const w = (await vsWeights(bed).catch(() => undefined))?.join('/');
        if (w && seen[seen.length - 1] !== w) seen.push(w);
        await new Promise((r) => setTimeout(r, 150));
      }
    })();
  }, 240_000);

  afterAll(async () => {
    watching = false;
    await watcher;
    const code = await controller?.stop();
    if (code !== 0 && code !== null) console.error(controller.output());
    await metrics?.stop();
    await bed?.down();
  });

  const healthyOn = (hash?: string) =>
    waitFor(async () => {
      const r = await rolloutObject(bed);
      return r.status?.phase === 'Healthy' && r.status.stableRS === r.status.currentPodHash && (hash === undefined || r.status.stableRS === hash) && r.status.observedGeneration === String(r.metadata.generation) ? r : undefined;
    }, 120_000, 'the rollout Healthy on its current revision');

  it('first deploy: a ReplicaSet of revision 1 with Argo\'s label, annotations and owner, promoted at once', async () => {
    const r = await healthyOn();
    const hash = r.status?.stableRS ?? '';
    expect(r.status?.availableReplicas).toBe(2);
    const rs = await bed.getJson<ReplicaSetFields & NamedList['items'][number]>(['-n', NS, 'get', 'replicaset', `${FRONTEND}-${hash}`]);
    expect(rs.metadata.labels).toMatchObject({ app: FRONTEND, 'rollouts-pod-template-hash': hash });
    expect(rs.metadata.annotations).toMatchObject({ 'rollout.argoproj.io/revision': '1', 'rollout.argoproj.io/desired-replicas': '2' });
    expect(rs.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'Rollout', name: FRONTEND, controller: true })]);
    expect(rs.spec.selector.matchLabels).toEqual({ app: FRONTEND, 'rollouts-pod-template-hash': hash });
    for (const svc of [FRONTEND, `${FRONTEND}-canary`]) {
      const s = await bed.getJson<{ spec: { selector: Record<string, string> } }>(['-n', NS, 'get', 'service', svc]);
      expect(s.spec.selector).toEqual({ app: FRONTEND, 'rollouts-pod-template-hash': hash });
    }
    expect(await vsWeights(bed)).toEqual([100, 0]);
    // kubectl's own columns for the Rollout CRD read Argo's fields.
    const table = await bed.kubectl(['-n', NS, 'get', 'rollout', FRONTEND]);
    expect(table).toMatch(new RegExp(`${FRONTEND}\\s+2\\s+2\\s+2\\s+2\\s`));
    // The controller's own /healthz and /metrics, with Argo's metric names.
    const address = /metrics http:\/\/([^/\s]+)\/metrics/.exec(controller.output())?.[1] ?? '';
    expect((await fetch(`http://${address}/healthz`)).status).toBe(200);
    const text = await (await fetch(`http://${address}/metrics`)).text();
    expect(text).toContain(`rollout_info{namespace="${NS}",name="${FRONTEND}",phase="Healthy",strategy="canary",traffic_router="istio"} 1`);
    expect(text).toContain(`rollout_info_replicas_available{namespace="${NS}",name="${FRONTEND}"} 2`);
    expect(text).toMatch(/k8s_request_total\{verb="POST",resource="replicasets"\} 1\n/);
    expect(text).toMatch(new RegExp(`rollout_reconcile_count\\{namespace="${NS}",name="${FRONTEND}"\\} [1-9]`));
  }, 180_000);

  it('a good release goes 10/25/50/75/100 with the step analysis and background analysis written as AnalysisRuns', async () => {
    const before = await rolloutObject(bed);
    const v1 = before.status?.stableRS ?? '';
    // The seed's validation command, watching as the release goes.
    const watch = spawn(join(bed.dir, 'bin', 'kubectl'), ['--kubeconfig', bed.kubeconfig, '-n', NS, 'get', 'rollout', FRONTEND, '-w', '-o', 'custom-columns=PHASE:.status.phase,STEP:.status.currentStepIndex,CANARY:.status.canary.weights.canary.weight', '--no-headers'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let watched = '';
    watch.stdout.on('data', (b: Buffer) => (watched += b.toString()));
    await setImage(bed, 'tbyte/frontend:v2');
    const v2 = await waitFor<string>(async () => {
      const r = await rolloutObject(bed);
      return r.status?.currentPodHash && r.status.currentPodHash !== v1 ? r.status.currentPodHash : undefined;
    }, 30_000, 'a new currentPodHash');
    const r = await healthyOn(v2);
    watch.kill();
    expect(r.status?.currentStepIndex).toBe(9);
    const lines = watched.split('\n').map((l) => l.trim().split(/\s+/).join(' '));
    expect(lines).toEqual(expect.arrayContaining(['Paused 1 10', 'Paused 4 25', 'Paused 6 50', 'Paused 8 75', 'Healthy 9 0']));
    const described = await bed.kubectl(['-n', NS, 'describe', 'virtualservice', 'tbyte-microservices-gateway-vs']);
    expect(described).toMatch(/Host:\s+tbyte-microservices-frontend\n[\s\S]*?Weight:\s+100/);
    expect(r.status?.conditions?.find((c) => c.type === 'Completed')).toMatchObject({ status: 'True', reason: 'RolloutCompleted' });
    const weights = seen.slice(seen.indexOf('100/0'));
    expect(weights).toEqual(expect.arrayContaining(['90/10', '75/25', '50/50', '25/75']));
    expect(weights.filter((w) => w !== '100/0' && w !== '0/100')).toEqual(['90/10', '75/25', '50/50', '25/75']);
    expect(await vsWeights(bed)).toEqual([100, 0]);
    for (const svc of [FRONTEND, `${FRONTEND}-canary`]) {
      const s = await bed.getJson<{ spec: { selector: Record<string, string> } }>(['-n', NS, 'get', 'service', svc]);
      expect(s.spec.selector['rollouts-pod-template-hash']).toBe(v2);
    }
    // Argo's run names: <rollout>-<hash>-<revision>-<step> for the step run, without the step for the background run.
    const runs = await bed.getJson<NamedList<AnalysisRunFields>>(['-n', NS, 'get', 'analysisrun']);
    const byName = new Map(runs.items.map((i) => [i.metadata.name, i]));
    const step = byName.get(`${FRONTEND}-${v2}-2-2`);
    expect(step?.status?.phase).toBe('Successful');
    expect(step?.metadata.labels).toMatchObject({ 'rollout-type': 'Step', 'step-index': '2', 'rollouts-pod-template-hash': v2 });
    expect(step?.spec.metrics.map((m) => m.name)).toEqual(['pod-ready-ratio', 'error-rate', 'response-time-p95']);
    expect(step?.status?.metricResults?.map((m) => [m.name, m.phase, m.count])).toEqual([
      ['pod-ready-ratio', 'Successful', 3],
      ['error-rate', 'Successful', 3],
      ['response-time-p95', 'Successful', 3],
    ]);
    // Answered from kube-state-metrics' real pod data: every pod Ready (the first measurement may
    // come before Prometheus has scraped the new pods; failureLimit 2 allows for that).
    expect(step?.status?.metricResults?.[0]?.measurements.map((m) => m.value)).toContain('[1]');
    const background = byName.get(`${FRONTEND}-${v2}-2`);
    expect(background?.metadata.labels).toMatchObject({ 'rollout-type': 'Background' });
    expect(background?.spec.args).toEqual([{ name: 'canary-hash', value: v2 }]);
    expect(background?.status?.phase).toBe('Successful');
    expect((await bed.kubectl(['-n', NS, 'get', 'analysisrun'])).split('\n').filter((l) => l.includes('Successful'))).toHaveLength(2);
    // The old stable is scaled down after scaleDownDelaySeconds (30 s, 3 s here).
    await waitFor(async () => (await bed.getJson<ReplicaSetFields>(['-n', NS, 'get', 'replicaset', `${FRONTEND}-${v1}`])).spec.replicas === 0, 60_000, 'the old ReplicaSet scaled to 0');
  }, 240_000);

  it('a bad release is aborted by the canary health analysis with Argo\'s message, weights back on stable', async () => {
    const v2 = (await rolloutObject(bed)).status?.stableRS ?? '';
    await setImage(bed, 'tbyte/frontend:v3');
    const v3 = await waitFor<string>(async () => {
      const r = await rolloutObject(bed);
      return r.status?.currentPodHash && r.status.currentPodHash !== v2 ? r.status.currentPodHash : undefined;
    }, 30_000, 'a new currentPodHash');
    metrics.failRevision(v3, 0.5);
    const r = await waitFor(async () => {
      const o = await rolloutObject(bed);
      return o.status?.phase === 'Degraded' ? o : undefined;
    }, 120_000, 'the rollout Degraded');
    expect(r.status?.abort).toBe(true);
    expect(r.status?.message).toMatch(/^RolloutAborted: Rollout aborted update to revision 3: Background analysis phase error\/failed: Metric "canary-error-rate" assessed Failed due to failed \(2\) > failureLimit \(1\)/);
    expect(r.status?.stableRS).toBe(v2);
    expect(r.status?.conditions?.find((c) => c.type === 'Progressing')).toMatchObject({ status: 'False', reason: 'RolloutAborted' });
    await waitFor(async () => (await vsWeights(bed)).join('/') === '100/0' || undefined, 30_000, 'weights back on stable');
    const run = await bed.getJson<AnalysisRunFields>(['-n', NS, 'get', 'analysisrun', `${FRONTEND}-${v3}-3`]);
    expect(run.status?.phase).toBe('Failed');
    expect(run.status?.metricResults?.[0]?.measurements.filter((m) => m.phase === 'Failed').length).toBeGreaterThanOrEqual(2);
    const stable = await bed.getJson<{ spec: { selector: Record<string, string> } }>(['-n', NS, 'get', 'service', FRONTEND]);
    expect(stable.spec.selector['rollouts-pod-template-hash']).toBe(v2);
  }, 240_000);
});
