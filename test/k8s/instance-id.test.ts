/**
 * `--instance-id`: Argo's `argo-rollouts.argoproj.io/controller-instanceid` label decides which
 * controller reconciles a Rollout, so Baton and Argo Rollouts (or two Batons) can share a cluster.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestbed, testbedUnavailable, type Testbed } from '../support/k8s-testbed.js';
import { waitFor } from '../support/net.js';
import { startController, type ControllerProcess } from './controller-harness.js';

const unavailable = testbedUnavailable();
const NS = 'shared';

const rollout = (name: string, labels: Record<string, string>): string =>
  JSON.stringify({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name, namespace: NS, labels },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: 'app:v1' }] } },
      strategy: { canary: { steps: [{ setWeight: 50 }] } },
    },
  });

describe.skipIf(unavailable !== undefined)(`baton controller --instance-id${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let bed: Testbed;
  const controllers: ControllerProcess[] = [];

  beforeAll(async () => {
    bed = await startTestbed();
    await bed.kubectl(['create', 'namespace', NS]);
    await bed.kubectl(['apply', '-f', '-'], rollout('mine', { 'argo-rollouts.argoproj.io/controller-instanceid': 'baton-a' }));
    await bed.kubectl(['apply', '-f', '-'], rollout('unlabelled', {}));
    await bed.kubectl(['apply', '-f', '-'], rollout('other', { 'argo-rollouts.argoproj.io/controller-instanceid': 'argo' }));
  }, 240_000);

  afterAll(async () => {
    for (const c of controllers) await c.stop();
    await bed?.down();
  });

  const phase = async (name: string): Promise<string | undefined> => (await bed.getJson<{ status?: { phase?: string } }>(['-n', NS, 'get', 'rollout', name])).status?.phase;

  it('with --instance-id only its own Rollouts; without it only unlabelled ones; a third instance\'s are left alone', async () => {
    const a = startController(bed, ['--instance-id', 'baton-a', '-n', NS]);
    controllers.push(a);
    await a.waitForLine(/caches synced: 1 rollout/);
    await waitFor(async () => ((await phase('mine')) === 'Healthy' ? true : undefined), 60_000, '"mine" Healthy');
    expect(await phase('unlabelled')).toBeUndefined();

    const plain = startController(bed, ['-n', NS]);
    controllers.push(plain);
    await plain.waitForLine(/caches synced: 1 rollout/);
    await waitFor(async () => ((await phase('unlabelled')) === 'Healthy' ? true : undefined), 60_000, '"unlabelled" Healthy');
    expect(await phase('other')).toBeUndefined();
    expect(await bed.kubectl(['-n', NS, 'get', 'replicaset', '-l', 'app=other', '-o', 'name'])).toBe('');
  }, 180_000);
});
