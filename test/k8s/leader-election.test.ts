/**
 * Two `baton controller --leader-elect` replicas on the test bed: one takes the Lease and
 * reconciles, the other waits; killing the leader with SIGKILL (no chance to give the Lease up)
 * hands over within the lease duration, and the new leader carries a release to the end.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestbed, testbedUnavailable, type Testbed } from '../support/k8s-testbed.js';
import { waitFor } from '../support/net.js';
import { applyFrontend, NS, rolloutObject, setImage, startController, type ControllerProcess } from './controller-harness.js';

const unavailable = testbedUnavailable();
const LEASE_SECONDS = 3;

interface Lease {
  spec: { holderIdentity?: string; leaseTransitions?: number; renewTime?: string };
}

describe.skipIf(unavailable !== undefined)(`baton controller --leader-elect${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let bed: Testbed;
  const controllers: ControllerProcess[] = [];

  beforeAll(async () => {
    bed = await startTestbed();
    await applyFrontend(bed);
    // Without analysis: this test is about who reconciles.
    await bed.kubectl(['-n', NS, 'patch', 'rollout', 'tbyte-microservices-frontend', '--type', 'merge', '-p', JSON.stringify({ spec: { strategy: { canary: { steps: [{ setWeight: 50 }, { pause: { duration: 10 } }], analysis: null } } } })]);
  }, 240_000);

  afterAll(async () => {
    for (const c of controllers) await c.stop();
    await bed?.down();
  });

  const lease = (): Promise<Lease> => bed.getJson<Lease>(['-n', 'default', 'get', 'lease', 'baton-controller-lock']);
  const start = (): ControllerProcess => {
    const c = startController(bed, ['--leader-elect', '--leader-election-namespace', 'default', '--lease-duration', String(LEASE_SECONDS), '--time-scale', '0.1', '-n', NS]);
    controllers.push(c);
    return c;
  };

  it('one replica leads and reconciles; the other takes over within the lease time after the leader is killed', async () => {
    const a = start();
    await a.waitForLine(/leading as /);
    const b = start();
    await b.waitForLine(/waiting for the lead/);
    await waitFor(async () => ((await rolloutObject(bed)).status?.phase === 'Healthy' ? true : undefined), 60_000, 'revision 1 Healthy');
    const holder = (await lease()).spec.holderIdentity ?? '';
    expect(a.output()).toContain(`leading as ${holder}`);
    // The standby has not reconciled anything.
    expect(b.output()).not.toMatch(/leading as|RevisionCreated/);

    await a.stop('SIGKILL');
    const killedAt = Date.now();
    await b.waitForLine(/leading as /, 30_000);
    const handover = Date.now() - killedAt;
    // Lease duration plus one retry period (lease / 7.5) plus the time to notice, with room for a loaded machine.
    expect(handover).toBeLessThan(LEASE_SECONDS * 1000 + 2_500);
    const after = await lease();
    expect(after.spec.holderIdentity).not.toBe(holder);
    expect(after.spec.leaseTransitions).toBe(1);

    const v1 = (await rolloutObject(bed)).status?.stableRS;
    await setImage(bed, 'tbyte/frontend:v2');
    const r = await waitFor(async () => {
      const o = await rolloutObject(bed);
      return o.status?.phase === 'Healthy' && o.status.currentPodHash === o.status.stableRS && o.status.stableRS !== v1 && o.status.currentStepIndex === 2 ? o : undefined;
    }, 90_000, 'v2 Healthy under the new leader');
    expect(r.status?.observedGeneration).toBe(String(r.metadata.generation));
    expect(b.output()).toMatch(/RevisionCreated: revision=2/);
  }, 240_000);

  it('a leader stopped with SIGTERM gives the Lease up, so the next one leads at once', async () => {
    const b = controllers[1] as ControllerProcess;
    const c = start();
    await c.waitForLine(/waiting for the lead/);
    expect(await b.stop('SIGTERM')).toBe(0);
    const stoppedAt = Date.now();
    await c.waitForLine(/leading as /, 30_000);
    expect(Date.now() - stoppedAt).toBeLessThan(LEASE_SECONDS * 1000);
  }, 120_000);
});
