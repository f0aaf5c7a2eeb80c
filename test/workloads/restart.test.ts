import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../support/net.js';
import { createHarness, isGone, template } from './support.js';

let h = createHarness();
afterEach(async () => {
  await h.cleanup();
  h = createHarness();
});

/** A supervisor with one ready pod of revision `h` of `rs`, from `tpl`. */
async function onReadyPod(tpl: ReturnType<typeof template>): Promise<ReturnType<typeof h.supervisor>> {
  const sup = h.supervisor({ stateDir: await h.dir() });
  await sup.scale({ owner: 'rs', hash: 'h', revision: 1, template: tpl }, 1);
  await waitFor(() => sup.endpoints('rs', 'h').length === 1, 10_000, 'a ready pod');
  return sup;
}

describe('process supervisor: restartPods', () => {
  it('replaces every pod one at a time, the new one ready before the old one stops', async () => {
    const dir = await h.dir();
    const order: string[] = [];
    const sup = h.supervisor({
      stateDir: dir,
      beforeStop: (pod) => {
        // When an old pod starts leaving (it is out of the endpoints now), its replacement is
        // already ready: still 2 ready pods.
        order.push(`stop ${pod.name} ready=${sup.endpoints('rs', 'h').length}`);
        return Promise.resolve();
      },
    });
    const tpl = template({ ports: [{ containerPort: 80 }] });
    await sup.scale({ owner: 'rs', hash: 'h', revision: 1, template: tpl }, 2);
    await waitFor(() => sup.endpoints('rs', 'h').length === 2, 10_000, 'two ready pods');
    const before = sup.pods('rs').map((p) => ({ name: p.name, pid: p.pid }));
    await sup.restartPods('rs', 10_000);
    await waitFor(() => sup.pods('rs').length === 2 && sup.endpoints('rs', 'h').length === 2, 10_000, 'two new ready pods');
    const after = sup.pods('rs');
    expect(after.map((p) => p.name).some((n) => before.some((b) => b.name === n))).toBe(false);
    expect(order).toEqual(before.map((b) => `stop ${b.name} ready=2`));
    for (const b of before) await waitFor(() => isGone(b.pid), 10_000, 'the old process to end');
    expect(sup.observe('rs')).toEqual([{ hash: 'h', replicas: 2, readyReplicas: 2, availableReplicas: 2 }]);
  });

  it('gives no replacement to a revision scaled down meanwhile, and does not wait for one that was stopped', async () => {
    const tpl = template({ ports: [{ containerPort: 80 }] });
    const sup = await onReadyPod(tpl);
    // The restart starts a replacement; the revision is scaled to 0 before it is ready.
    const restart = sup.restartPods('rs', 60_000);
    await sup.scale({ owner: 'rs', hash: 'h', revision: 1, template: tpl }, 0);
    await restart;
    await waitFor(() => sup.pods('rs').length === 0, 10_000, 'every pod gone');
    expect(sup.observe('rs')).toEqual([{ hash: 'h', replicas: 0, readyReplicas: 0, availableReplicas: 0 }]);
  });

  it('fails, keeping the old pod, when the replacement is not ready in time', async () => {
    const sup = await onReadyPod(template({ ports: [{ containerPort: 80 }] }));
    const old = sup.pods('rs')[0];
    await expect(sup.restartPods('rs', 1)).rejects.toMatchObject({ code: 'restart-failed' });
    await waitFor(() => sup.pods('rs').length === 1, 10_000, 'the replacement gone');
    expect(sup.pods('rs')[0]?.name).toBe(old?.name);
    expect(sup.endpoints('rs', 'h')).toHaveLength(1);
  });
});
