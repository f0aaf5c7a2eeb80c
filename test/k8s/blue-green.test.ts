/**
 * A blue/green Rollout on the test bed: the new revision comes up behind the preview Service,
 * waits for promotion (autoPromotionEnabled: false, Argo's BlueGreenPause), and `baton promote`
 * switches the active Service's selector to it; the status carries Argo's blueGreen selectors.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestbed, testbedUnavailable, type Testbed } from '../support/k8s-testbed.js';
import { waitFor } from '../support/net.js';
import { BATON, startController, type ControllerProcess } from './controller-harness.js';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);
const unavailable = testbedUnavailable();
const NS = 'bg';

const objects = (image: string): string =>
  [
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web-active', namespace: NS }, spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] } },
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web-preview', namespace: NS }, spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] } },
    {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      metadata: { name: 'web', namespace: NS },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image }] } },
        strategy: { blueGreen: { activeService: 'web-active', previewService: 'web-preview', autoPromotionEnabled: false, scaleDownDelaySeconds: 5 } },
      },
    },
  ]
    .map((o) => JSON.stringify(o))
    .join('\n---\n');

interface BlueGreenStatus {
  metadata: { generation: number };
  status?: { phase?: string; message?: string; currentPodHash?: string; stableRS?: string; blueGreen?: { activeSelector?: string; previewSelector?: string }; pauseConditions?: { reason: string }[] | null };
}

describe.skipIf(unavailable !== undefined)(`baton controller: blue/green${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let bed: Testbed;
  let controller: ControllerProcess;
  const ro = (): Promise<BlueGreenStatus> => bed.getJson<BlueGreenStatus>(['-n', NS, 'get', 'rollout', 'web']);
  const selector = async (svc: string): Promise<string | undefined> => (await bed.getJson<{ spec: { selector: Record<string, string> } }>(['-n', NS, 'get', 'service', svc])).spec.selector['rollouts-pod-template-hash'];

  beforeAll(async () => {
    bed = await startTestbed();
    await bed.kubectl(['create', 'namespace', NS]);
    await bed.kubectl(['apply', '-f', '-'], objects('web:v1'));
    controller = startController(bed, ['--time-scale', '0.1', '-n', NS]);
  }, 240_000);

  afterAll(async () => {
    await controller?.stop();
    await bed?.down();
  });

  it('previews the new revision, pauses for promotion, and switches the active Service on promote', async () => {
    const v1 = (await waitFor(async () => {
      const r = await ro();
      return r.status?.phase === 'Healthy' ? r : undefined;
    }, 60_000, 'v1 Healthy')).status?.stableRS;
    expect(await selector('web-active')).toBe(v1);
    await bed.kubectl(['apply', '-f', '-'], objects('web:v2'));
    const paused = await waitFor(async () => {
      const r = await ro();
      return r.status?.phase === 'Paused' && r.status.currentPodHash !== v1 ? r : undefined;
    }, 60_000, 'paused before promotion');
    const v2 = paused.status?.currentPodHash;
    expect(paused.status?.message).toBe('BlueGreenPause');
    expect(paused.status?.blueGreen).toMatchObject({ activeSelector: v1, previewSelector: v2 });
    expect(await selector('web-preview')).toBe(v2);
    expect(await selector('web-active')).toBe(v1);

    await run(process.execPath, [BATON, 'promote', 'web', '--kubeconfig', bed.kubeconfig, '-n', NS], { env: { ...process.env, BATON_FROM_SOURCE: '1' } });
    const done = await waitFor(async () => {
      const r = await ro();
      return r.status?.phase === 'Healthy' && r.status.stableRS === v2 ? r : undefined;
    }, 60_000, 'v2 Healthy and active');
    expect(done.status?.blueGreen?.activeSelector).toBe(v2);
    expect(await selector('web-active')).toBe(v2);
  }, 180_000);

  it('a Rollout Baton cannot read gets Argo\'s InvalidSpec condition naming the field; the others go on', async () => {
    const bad = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      metadata: { name: 'broken', namespace: NS },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'broken' } },
        template: { metadata: { labels: { app: 'broken' } }, spec: { containers: [{ name: 'app', image: 'app:v1' }] } },
        strategy: { canary: { steps: [{ pause: { duration: '30x' } }] } },
      },
    };
    await bed.kubectl(['apply', '-f', '-'], JSON.stringify(bad));
    const r = await waitFor(async () => {
      const o = await bed.getJson<{ status?: { phase?: string; message?: string; conditions?: { type: string; status: string; reason: string }[] } }>(['-n', NS, 'get', 'rollout', 'broken']);
      return o.status?.phase === 'Degraded' ? o : undefined;
    }, 60_000, 'the broken Rollout Degraded');
    expect(r.status?.message).toMatch(/^InvalidSpec: Rollout bg\/broken spec\.strategy\.canary\.steps\[0\]\.pause\.duration: /);
    expect(r.status?.conditions).toContainEqual(expect.objectContaining({ type: 'InvalidSpec', status: 'True', reason: 'InvalidSpec' }));
    expect(await bed.getJson<{ items: unknown[] }>(['-n', NS, 'get', 'replicaset', '-l', 'app=broken'])).toMatchObject({ items: [] });
    // The controller is still reconciling the others.
    await bed.kubectl(['apply', '-f', '-'], objects('web:v3'));
    await waitFor(async () => ((await ro()).status?.phase === 'Paused' ? true : undefined), 60_000, 'web paused on v3');
  }, 120_000);
});
