import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/adapters/store/sqlite/index.js';
import type { PodInfo } from '../../src/adapters/workloads/processes/index.js';
import { initialRolloutState } from '../../src/core/rollout/index.js';
import { resolveStateDir } from '../../src/host/state-dir.js';
import { checkProcessesKnown } from '../../src/host/startup-checks.js';
import { waitFor } from '../support/net.js';
import { createHarness, getJson, isAlive, isGone, probe, template } from './support.js';

let h = createHarness();
afterEach(async () => {
  await h.cleanup();
  h = createHarness();
});

const tpl = template({ ports: [{ containerPort: 8080 }], readinessProbe: probe({ httpGet: { path: '/ready', port: 8080 }, periodSeconds: 1 }) });

describe('process supervisor: re-adoption after the controller is gone', () => {
  it('a new supervisor on the same state dir adopts running pods, keeps them ready and restarts one that dies', async () => {
    const dir = await h.dir();
    const first = h.supervisor({ stateDir: dir, timeScale: 0.05 });
    await first.scale({ owner: 'web', hash: 'h1', revision: 2, template: tpl, namespace: 'shop' }, 2);
    await waitFor(() => first.endpoints('web', 'h1').length === 2, 10_000, 'two ready');
    const before = first.pods('web');
    await first.stop();
    // Stopping supervision leaves the processes alone.
    expect(before.every((p) => isAlive(p.pid))).toBe(true);

    let changes = 0;
    const second = h.supervisor({ stateDir: dir, timeScale: 0.05, onChange: () => changes++ });
    const adopted = second.pods('web');
    const strip = (p: PodInfo) => ({ name: p.name, pid: p.pid, port: p.port, revision: p.revision, namespace: p.namespace, ready: p.ready, readySince: p.readySince });
    expect(adopted.map(strip)).toEqual(before.map(strip));
    // Ready at once: the gateway keeps serving through a controller restart.
    expect(second.endpoints('web', 'h1').sort()).toEqual(before.map((p) => p.address).sort());
    expect(second.observe('web')).toEqual([{ hash: 'h1', replicas: 2, readyReplicas: 2, availableReplicas: 2 }]);
    expect(second.podReadyMetrics()).toContain(`kube_pod_status_ready{namespace="shop",pod="${before[0]?.name}",condition="true"} 1`);

    // The adopted process is not a child of the new supervisor; it still notices it die.
    const victim = before[0] as PodInfo;
    process.kill(victim.pid, 'SIGKILL');
    const restarted = await waitFor(() => {
      const p = second.pods('web').find((x) => x.name === victim.name);
      return p && p.pid !== victim.pid && p.pid > 0 && p.ready ? p : undefined;
    }, 10_000, 'the killed pod restarted and ready');
    expect(restarted.restarts).toBe(1);
    expect(changes).toBeGreaterThan(0);
    const info = await getJson<{ env: Record<string, string> }>(restarted.address, '/info');
    expect(info.env.POD_NAME).toBe(victim.name);

    // Scaling the adopted revision counts the adopted pods.
    await second.scale({ owner: 'web', hash: 'h1', revision: 2, template: tpl }, 1);
    await waitFor(() => second.pods('web').length === 1, 10_000, 'one pod left');
    await second.shutdown();
    expect([...before, restarted].every((p) => isGone(p.pid))).toBe(true);
  });

  it('forgets pods whose process died while no supervisor watched', async () => {
    const dir = await h.dir();
    const first = h.supervisor({ stateDir: dir });
    await first.scale({ owner: 'gone', hash: 'h', revision: 1, template: template({ ports: [{ containerPort: 80 }] }) }, 1);
    const pod = first.pods('gone')[0];
    if (!pod) throw new Error('no pod');
    await first.stop();
    process.kill(-pod.pid, 'SIGKILL');
    await waitFor(() => isGone(pod.pid), 10_000, 'the process gone');
    const second = h.supervisor({ stateDir: dir });
    expect(second.pods()).toEqual([]);
    expect(second.observe('gone')).toEqual([]);
    expect(existsSync(join(dir, 'pods', `${pod.name}.json`))).toBe(false);
  });

  it('survives kill -9 of the process that owns the supervisor, and a new one adopts the pods', async () => {
    const dir = await h.dir();
    const owner = spawn(process.execPath, ['--import', 'tsx', resolve(import.meta.dirname, 'fixtures/owner.ts'), dir, '2'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    if (owner.pid === undefined) throw new Error('owner did not start');
    h.track(owner.pid);
    let out = '';
    owner.stdout.on('data', (b: Buffer) => (out += b.toString()));
    const pods = await waitFor(() => {
      const line = out.split('\n').find((l) => l.startsWith('ready '));
      return line ? (JSON.parse(line.slice('ready '.length)) as PodInfo[]) : undefined;
    }, 30_000, 'the owner to report two ready pods');
    for (const p of pods) h.track(p.pid);
    expect(pods).toHaveLength(2);

    const exited = new Promise((r) => owner.once('exit', r));
    process.kill(owner.pid, 'SIGKILL');
    await exited;
    // The pods outlive their controller and keep serving.
    expect(pods.every((p) => isAlive(p.pid))).toBe(true);
    for (const p of pods) expect((await getJson<{ ready: boolean }>(p.address, '/ready')).ready).toBe(true);

    const sup = h.supervisor({ stateDir: dir, timeScale: 0.05 });
    expect(sup.pods('crashy').map((p) => [p.name, p.pid, p.ready])).toEqual(pods.map((p) => [p.name, p.pid, true]));
    expect(sup.observe('crashy')).toEqual([{ hash: 'h1', replicas: 2, readyReplicas: 2, availableReplicas: 2 }]);
    await sup.remove('crashy', 'h1');
    await waitFor(() => pods.every((p) => isGone(p.pid)), 10_000, 'adopted pods stopped');
    await waitFor(() => readdirSync(join(dir, 'pods')).length === 0, 10_000, 'records removed');
  });

  it('a database emptied or moved while processes run: the check refuses, naming the state dir and the live pids, and leaves them alone', async () => {
    const dir = await h.dir();
    const first = h.supervisor({ stateDir: dir });
    await first.scale({ owner: 'web', hash: 'h1', revision: 2, template: tpl }, 2);
    const pods = first.pods('web');
    await first.stop();
    const stateDir = resolveStateDir(dir);
    // A new, empty database where the old one was.
    const store = openSqliteStore(stateDir.db);
    try {
      let err: unknown;
      try {
        checkProcessesKnown(stateDir, store);
      } catch (e) {
        err = e;
      }
      expect(err).toMatchObject({ code: 'state-lost', details: { stateDir: stateDir.root, pids: pods.map((p) => p.pid).sort((a, b) => a - b) } });
      const message = (err as Error).message;
      expect(message).toContain(stateDir.root);
      for (const p of pods) expect(message).toContain(`pid ${p.pid}`);
      expect(pods.every((p) => isAlive(p.pid))).toBe(true);
      // With the workload's state in the database (any revision), they are the controller's to adopt.
      store.save('web', { rolloutState: initialRolloutState(), analysisRuns: [] });
      expect(() => checkProcessesKnown(stateDir, store)).not.toThrow();
    } finally {
      store.close();
    }
    const second = h.supervisor({ stateDir: dir });
    await second.remove('web', 'h1');
    await waitFor(() => pods.every((p) => isGone(p.pid)), 10_000, 'pods stopped');
  });
});
