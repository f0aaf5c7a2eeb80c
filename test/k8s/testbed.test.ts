/**
 * The Kubernetes test bed itself: a real control plane whose ReplicaSets get pods that KWOK's
 * fake node runs and reports Ready (at once, after a delay, or never, by annotation),
 * kube-state-metrics answering `kube_pod_status_ready` from those pods, and the Argo Rollouts
 * and Istio CRDs accepting the tbyte example's objects.
 */
import { readdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestbed, testbedUnavailable, type Testbed } from '../support/k8s-testbed.js';
import { waitFor } from '../support/net.js';

const unavailable = testbedUnavailable();

interface PodList {
  items: { metadata: { name: string; annotations?: Record<string, string> }; status: { phase?: string; startTime?: string; conditions?: { type: string; status: string; lastTransitionTime?: string }[] } }[];
}

function replicaSet(name: string, replicas: number, annotations: Record<string, string> = {}): string {
  return JSON.stringify({
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name, namespace: 'default' },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name }, annotations },
        spec: { containers: [{ name: 'app', image: `${name}:v1` }] },
      },
    },
  });
}

function ready(pod: PodList['items'][number]): boolean {
  return pod.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

describe.skipIf(unavailable !== undefined)(`Kubernetes test bed${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let bed: Testbed;
  beforeAll(async () => {
    bed = await startTestbed();
  }, 180_000);
  afterAll(async () => {
    await bed?.down();
  });

  const pods = async (app: string): Promise<PodList['items']> => (await bed.getJson<PodList>(['get', 'pods', '-n', 'default', '-l', `app=${app}`])).items;

  it('answers on its API with a Ready KWOK node and the Argo Rollouts and Istio CRDs', async () => {
    const nodes = await bed.getJson<{ items: { metadata: { name: string }; status: { conditions: { type: string; status: string }[] } }[] }>(['get', 'nodes']);
    expect(nodes.items.map((n) => n.metadata.name)).toEqual(['kwok-node-0']);
    expect(nodes.items[0]?.status.conditions.find((c) => c.type === 'Ready')?.status).toBe('True');
    const crds = (await bed.kubectl(['get', 'crd', '-o', 'name'])).split('\n');
    for (const name of ['rollouts.argoproj.io', 'analysistemplates.argoproj.io', 'clusteranalysistemplates.argoproj.io', 'analysisruns.argoproj.io', 'virtualservices.networking.istio.io', 'destinationrules.networking.istio.io']) {
      expect(crds).toContain(`customresourcedefinition.apiextensions.k8s.io/${name}`);
    }
  });

  it('runs a ReplicaSet: the real controller manager creates its pods, the scheduler places them, KWOK makes them Ready', async () => {
    await bed.kubectl(['apply', '-f', '-'], replicaSet('plain', 3));
    const items = await waitFor(async () => {
      const list = await pods('plain');
      return list.length === 3 && list.every(ready) ? list : undefined;
    }, 60_000, '3 Ready pods');
    expect(items.every((p) => p.status.phase === 'Running')).toBe(true);
  });

  it('holds a pod unready for the time its template asks, and forever when it says never', async () => {
    await bed.kubectl(['apply', '-f', '-'], replicaSet('never', 1, { 'testbed.baton.dev/never-ready': 'true' }));
    await bed.kubectl(['apply', '-f', '-'], replicaSet('slow', 1, { 'testbed.baton.dev/ready-after': '3s' }));
    const [slow] = await waitFor(async () => {
      const list = await pods('slow');
      return list.length === 1 && list.every(ready) ? list : undefined;
    }, 60_000, 'the slow pod Ready');
    const conds = slow?.status.conditions ?? [];
    const readyAt = Date.parse(conds.find((c) => c.type === 'Ready')?.lastTransitionTime ?? '');
    const runningAt = Date.parse(slow?.status.startTime ?? '');
    // Condition times have whole-second resolution: 3 s later, give or take one.
    expect(readyAt - runningAt).toBeGreaterThanOrEqual(2_000);
    // The never-ready pod was created first and has been Running all along, still unready.
    const [never] = await pods('never');
    expect(never?.status.phase).toBe('Running');
    expect(ready(never!)).toBe(false);
  });

  it('answers kube_pod_status_ready from kube-state-metrics for those pods', async () => {
    const url = `http://${bed.env.TESTBED_KUBE_STATE_METRICS}/metrics`;
    const text = await waitFor(async () => {
      const body = await (await fetch(url)).text();
      return /kube_pod_status_ready\{namespace="default",pod="never-[^"]+",uid="[^"]+",condition="false"\} 1/.test(body) && /kube_pod_status_ready\{namespace="default",pod="plain-[^"]+",uid="[^"]+",condition="true"\} 1/.test(body) ? body : undefined;
    }, 30_000, 'kube_pod_status_ready for the plain and never pods');
    const plainReady = text.split('\n').filter((l) => /^kube_pod_status_ready\{namespace="default",pod="plain-.*condition="true"\} 1$/.test(l));
    expect(plainReady).toHaveLength(3);
  });

  it("accepts every object of the tbyte example as the API server validates it (Rollout, AnalysisTemplate, Services, Deployment, Istio)", async () => {
    const dir = resolve(import.meta.dirname, '../../examples/tbyte/manifests');
    const files = (await readdir(dir)).filter((f) => f.endsWith('.yaml'));
    await bed.kubectl(['create', 'namespace', 'tbyte']);
    expect(files.length).toBeGreaterThan(5);
    const kinds = new Set<string>();
    for (const file of files) {
      const out = await bed.kubectl(['apply', '--dry-run=server', '-o', 'name', '-f', resolve(dir, file)]);
      for (const line of out.split('\n').filter(Boolean)) kinds.add(line.split('/')[0] ?? '');
    }
    expect([...kinds].sort()).toEqual(expect.arrayContaining(['rollout.argoproj.io', 'analysistemplate.argoproj.io', 'service', 'deployment.apps', 'virtualservice.networking.istio.io']));
  });
});
