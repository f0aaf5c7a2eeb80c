/**
 * promote, abort, retry, pause, resume and undo through the CLI against a cluster
 * (`baton <verb> NAME --kubeconfig F -n NS`): each patches the Rollout as Argo's kubectl plugin
 * does, and `baton controller` carries it out. The tbyte frontend with its analysis taken out and
 * two indefinite pauses, so every step waits for a person.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestbed, testbedUnavailable, type Testbed } from '../support/k8s-testbed.js';
import { waitFor } from '../support/net.js';
import { applyFrontend, BATON, FRONTEND, NS, rolloutObject, setImage, startController, vsWeights, type ControllerProcess, type NamedList, type RolloutObject } from './controller-harness.js';

const run = promisify(execFile);
const unavailable = testbedUnavailable();

describe.skipIf(unavailable !== undefined)(`baton promote/abort/retry/pause/resume/undo against a cluster${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let bed: Testbed;
  let controller: ControllerProcess;

  const baton = async (...args: string[]): Promise<string> => (await run(process.execPath, [BATON, ...args, FRONTEND, '--kubeconfig', bed.kubeconfig, '-n', NS], { env: { ...process.env, BATON_FROM_SOURCE: '1' } })).stdout;
  const until = async (what: string, pred: (r: RolloutObject) => boolean): Promise<RolloutObject> => {
    let last: RolloutObject | undefined;
    try {
      return await waitFor(async () => {
        last = await rolloutObject(bed);
        return pred(last) ? last : undefined;
      }, 60_000, what);
    } catch (e) {
      throw new Error(`${(e as Error).message}; last status ${JSON.stringify(last?.status)}; controller output:\n${controller.output().split('\n').slice(-30).join('\n')}`);
    }
  };
  const pausedAt = (index: number) => (r: RolloutObject) => r.status?.phase === 'Paused' && r.status.currentStepIndex === index && r.status.message === 'CanaryPauseStep';

  beforeAll(async () => {
    bed = await startTestbed();
    await applyFrontend(bed);
    const steps = [{ setWeight: 20 }, { pause: {} }, { setWeight: 60 }, { pause: {} }];
    await bed.kubectl(['-n', NS, 'patch', 'rollout', FRONTEND, '--type', 'merge', '-p', JSON.stringify({ spec: { strategy: { canary: { steps, analysis: null } } } })]);
    controller = startController(bed, ['--time-scale', '0.1', '-n', NS]);
    await controller.waitForLine(/caches synced/);
    await until('the first revision Healthy', (r) => r.status?.phase === 'Healthy');
  }, 240_000);

  afterAll(async () => {
    await controller?.stop();
    await bed?.down();
  });

  it('promote moves a paused canary on; abort sends traffic back to stable; retry starts over', async () => {
    await setImage(bed, 'tbyte/frontend:v2');
    await until('paused at step 1', pausedAt(1));
    expect(await vsWeights(bed)).toEqual([80, 20]);

    expect(await baton('promote')).toBe(`rollout '${FRONTEND}' promoted\n`);
    await until('paused at step 3', pausedAt(3));
    expect(await vsWeights(bed)).toEqual([40, 60]);

    expect(await baton('abort')).toBe(`rollout '${FRONTEND}' aborted\n`);
    const aborted = await until('aborted', (r) => r.status?.phase === 'Degraded');
    expect(aborted.status?.message).toBe('RolloutAborted: Rollout aborted update to revision 2');
    expect(aborted.status?.abort).toBe(true);
    await waitFor(async () => (await vsWeights(bed)).join('/') === '100/0' || undefined, 30_000, 'weights back on stable');

    expect(await baton('retry')).toBe(`rollout '${FRONTEND}' retried\n`);
    const retried = await until('paused at step 1 again', pausedAt(1));
    expect(retried.status?.abort).toBe(false);
    expect(await vsWeights(bed)).toEqual([80, 20]);
  }, 180_000);

  it('pause holds the rollout; resume and promote --full take it to 100 %', async () => {
    expect(await baton('pause')).toBe(`rollout '${FRONTEND}' paused\n`);
    await until('manually paused', (r) => r.status?.message === 'manually paused');
    expect(await baton('resume')).toBe(`rollout '${FRONTEND}' resumed\n`);
    expect(await baton('promote', '--full')).toBe(`rollout '${FRONTEND}' fully promoted\n`);
    const done = await until('Healthy on v2', (r) => r.status?.phase === 'Healthy' && r.status.stableRS === r.status.currentPodHash);
    expect(done.status?.currentStepIndex).toBe(4);
    expect(await vsWeights(bed)).toEqual([100, 0]);
  }, 120_000);

  it('undo puts the previous revision\'s template back: a new canary of it, numbered as the next revision', async () => {
    const before = await rolloutObject(bed);
    expect(await baton('undo')).toBe(`rollout '${FRONTEND}' undo\n`);
    const r = await until('paused at step 1 on the old template', (o) => pausedAt(1)(o) && o.status?.currentPodHash !== before.status?.currentPodHash);
    const image = await bed.kubectl(['-n', NS, 'get', 'rollout', FRONTEND, '-o', 'jsonpath={.spec.template.spec.containers[0].image}']);
    expect(image).toBe('tbyte/frontend:v1');
    const rs = await bed.getJson<NamedList['items'][number]>(['-n', NS, 'get', 'replicaset', `${FRONTEND}-${r.status?.currentPodHash ?? ''}`]);
    // The ReplicaSet of revision 1 is adopted again and renumbered, as Argo does.
    expect(rs.metadata.annotations?.['rollout.argoproj.io/revision']).toBe('3');
    await expect(baton('undo', '--to-revision', '9')).rejects.toThrow(/has no revision 9 \(revisions: 2, 3\)/);
  }, 120_000);
});
