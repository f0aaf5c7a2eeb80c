import { appendFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../support/net.js';
import { APPS, createHarness, isAlive, isGone, lines, probe, template } from './support.js';

let h = createHarness();
afterEach(async () => {
  await h.cleanup();
  h = createHarness();
});

/** The first word and the time of each line of an events file. */
function events(file: string): { what: string; at: number }[] {
  return lines(file).map((l) => {
    const parts = l.split(' ');
    return { what: parts.slice(0, -1).join(' '), at: Number(parts.at(-1)) };
  });
}

describe('process supervisor: stopping and restarting pods', () => {
  it('drains, runs preStop, then sends SIGTERM, in that order', async () => {
    const dir = await h.dir();
    const ev = join(dir, 'events');
    const drained: string[] = [];
    const sup = h.supervisor({
      stateDir: dir,
      beforeStop: (pod) => {
        drained.push(pod.name);
        appendFileSync(ev, `drain ${Date.now()}\n`);
        return Promise.resolve();
      },
    });
    const tpl = template({
      ports: [{ containerPort: 80 }],
      env: [{ name: 'EVENTS_FILE', value: ev }],
      lifecycle: { preStop: { exec: { command: [process.execPath, join(APPS, 'append-line.mjs'), 'prestop', '$(POD_NAME)'] } } },
    });
    await sup.scale({ owner: 'ps', hash: 'h', revision: 1, template: tpl }, 1);
    const pod = sup.pods('ps')[0];
    if (!pod) throw new Error('no pod');
    await waitFor(() => sup.endpoints('ps', 'h').length === 1, 10_000, 'ready');
    await sup.scale({ owner: 'ps', hash: 'h', revision: 1, template: tpl }, 0);
    expect(sup.pods('ps')[0]?.phase).toBe('Terminating');
    expect(sup.endpoints('ps', 'h')).toEqual([]);
    expect(sup.observe('ps')).toEqual([{ hash: 'h', replicas: 0, readyReplicas: 0, availableReplicas: 0 }]);
    await waitFor(() => isGone(pod.pid), 10_000, 'the process to end');
    await waitFor(() => sup.pods('ps').length === 0, 10_000, 'the pod to be forgotten');
    // The hook's argv goes to the OS as written: Kubernetes expands $(VAR) in command and args only.
    expect(events(ev).map((e) => e.what)).toEqual(['drain', 'prestop $(POD_NAME)', 'sigterm']);
    expect(drained).toEqual([pod.name]);
  });

  it('sends SIGKILL to a process that ignores SIGTERM once the grace period is over', async () => {
    const dir = await h.dir();
    const ev = join(dir, 'events');
    const sup = h.supervisor({ stateDir: dir, timeScale: 0.01 });
    const tpl = template(
      {
        ports: [{ containerPort: 80 }],
        env: [
          { name: 'IGNORE_TERM', value: '1' },
          { name: 'EVENTS_FILE', value: ev },
        ],
      },
      1,
    );
    await sup.scale({ owner: 'stubborn', hash: 'h', revision: 1, template: tpl }, 1);
    const pod = sup.pods('stubborn')[0];
    if (!pod) throw new Error('no pod');
    await waitFor(() => sup.endpoints('stubborn', 'h').length === 1, 10_000, 'ready');
    await sup.remove('stubborn', 'h');
    const term = await waitFor(() => events(ev).find((e) => e.what === 'sigterm'), 10_000, 'SIGTERM');
    await waitFor(() => isGone(pod.pid), 10_000, 'SIGKILL');
    const killedAfter = Date.now() - term.at;
    // The grace period is the process's own time: 1 s, not scaled by the time scale.
    expect(killedAfter).toBeGreaterThanOrEqual(900);
    expect(sup.observe('stubborn')).toEqual([]);
  });

  it('counts preStop against the grace period: a long preStop sleep is cut at the grace period', async () => {
    const dir = await h.dir();
    const ev = join(dir, 'events');
    const sup = h.supervisor({ stateDir: dir });
    const tpl = template({ ports: [{ containerPort: 80 }], env: [{ name: 'EVENTS_FILE', value: ev }], lifecycle: { preStop: { sleep: { seconds: 20 } } } }, 1);
    await sup.scale({ owner: 'sleepy', hash: 'h', revision: 1, template: tpl }, 1);
    const pod = sup.pods('sleepy')[0];
    if (!pod) throw new Error('no pod');
    await waitFor(() => sup.endpoints('sleepy', 'h').length === 1, 10_000, 'ready');
    const t0 = Date.now();
    await sup.remove('sleepy', 'h');
    const term = await waitFor(() => events(ev).find((e) => e.what === 'sigterm'), 10_000, 'SIGTERM');
    // SIGTERM comes when the 1 s grace is used up by the preStop sleep, not after its 20 s.
    expect(term.at - t0).toBeGreaterThanOrEqual(900);
    expect(term.at - t0).toBeLessThan(5_000);
    await waitFor(() => isGone(pod.pid), 10_000, 'the process to end');
  });

  it('a command that cannot start leaves the pod Failed with the reason in its log, retried with back-off', async () => {
    const dir = await h.dir();
    const sup = h.supervisor({ stateDir: dir, timeScale: 0.01 });
    await sup.scale({ owner: 'nobin', hash: 'h', revision: 1, template: template({ command: [join(dir, 'no-such-binary')] }) }, 1);
    const pod = await waitFor(() => sup.pods('nobin').find((p) => p.restarts >= 2 && p.phase === 'Failed'), 10_000, 'two failed restarts');
    expect(pod).toMatchObject({ ready: false, pid: 0 });
    const log = lines(sup.logs(pod.name)[0] ?? '');
    expect(log.filter((l) => l.startsWith('baton: cannot start') && l.includes('no-such-binary') && l.includes('ENOENT')).length).toBeGreaterThanOrEqual(3);
    expect(sup.observe('nobin')).toEqual([{ hash: 'h', replicas: 1, readyReplicas: 0, availableReplicas: 0 }]);
  });

  it('removes the newest pods first when scaling down', async () => {
    const dir = await h.dir();
    const sup = h.supervisor({ stateDir: dir });
    const tpl = template({ ports: [{ containerPort: 80 }] });
    const w = { owner: 'sd', hash: 'h', revision: 1, template: tpl };
    await sup.scale(w, 1);
    await waitFor(() => sup.endpoints('sd', 'h').length === 1, 10_000, 'first ready');
    // One at a time, so "newest" is both the last created and the last ready (two pods started
    // together can become ready in either order, and readiness time decides first).
    await sup.scale(w, 2);
    await waitFor(() => sup.endpoints('sd', 'h').length === 2, 10_000, 'two ready');
    await sup.scale(w, 3);
    await waitFor(() => sup.endpoints('sd', 'h').length === 3, 10_000, 'three ready');
    const [oldest, second, newest] = sup.pods('sd');
    if (!oldest || !second || !newest) throw new Error('pods missing');
    await sup.scale(w, 2);
    expect(sup.pods('sd').find((p) => p.phase === 'Terminating')?.name).toBe(newest.name);
    await waitFor(() => isGone(newest.pid), 10_000, 'newest gone');
    await sup.scale(w, 1);
    await waitFor(() => isGone(second.pid), 10_000, 'second gone');
    expect(isAlive(oldest.pid)).toBe(true);
    await waitFor(() => sup.pods('sd').length === 1, 10_000, 'one pod left');
    expect(sup.pods('sd').map((p) => p.name)).toEqual([oldest.name]);
  });

  it('removes a pod that is not ready before older and newer ready ones', async () => {
    const dir = await h.dir();
    const sup = h.supervisor({ stateDir: dir, timeScale: 0.05 });
    // Ready while a marker file is absent: the pod created second loses readiness.
    const marker = join(dir, 'unready');
    const tpl = template({
      ports: [{ containerPort: 80 }],
      readinessProbe: probe({ exec: { command: [process.execPath, '-e', `process.exit(require('fs').existsSync(${JSON.stringify(marker)} + process.env.POD_NAME) ? 1 : 0)`] }, periodSeconds: 1, failureThreshold: 1 }),
    });
    const w = { owner: 'nr', hash: 'h', revision: 1, template: tpl };
    await sup.scale(w, 3);
    await waitFor(() => sup.endpoints('nr', 'h').length === 3, 10_000, 'three ready');
    const [, middle] = sup.pods('nr');
    if (!middle) throw new Error('pods missing');
    appendFileSync(marker + middle.name, '');
    await waitFor(() => sup.endpoints('nr', 'h').length === 2, 10_000, 'the middle pod unready');
    await sup.scale(w, 2);
    expect(sup.pods('nr').filter((p) => p.phase === 'Terminating').map((p) => p.name)).toEqual([middle.name]);
  });

  it('restarts a process that exits, with the kubelet back-off (scaled), counting restarts', async () => {
    const dir = await h.dir();
    const ev = join(dir, 'events');
    // 10 s x 0.05 = 500 ms, then 1 s.
    const sup = h.supervisor({ stateDir: dir, timeScale: 0.05 });
    const tpl = template({ script: join(APPS, 'exit-soon.mjs'), env: [{ name: 'EVENTS_FILE', value: ev }] });
    await sup.scale({ owner: 'crash', hash: 'h', revision: 1, template: tpl }, 1);
    const starts = await waitFor(() => {
      const s = events(ev).filter((e) => e.what === 'start');
      return s.length >= 4 ? s.map((e) => e.at) : undefined;
    }, 20_000, 'four starts');
    const gaps = starts.slice(1).map((t, i) => t - (starts[i] ?? 0));
    // Each gap is the 20 ms run plus Node's start-up plus the back-off: 0, 500, 1000 ms.
    expect(gaps[0]).toBeLessThan(500);
    expect(gaps[1]).toBeGreaterThanOrEqual(500);
    expect(gaps[2]).toBeGreaterThanOrEqual(1000);
    await waitFor(() => (sup.pods('crash')[0]?.restarts ?? 0) >= 3, 10_000, 'three restarts counted');
    // Between two processes the pod waits out its back-off with no process and is not ready.
    const waiting = await waitFor(() => sup.pods('crash').find((p) => p.phase === 'Failed'), 10_000, 'a pod in back-off');
    expect(waiting).toMatchObject({ ready: false, pid: 0 });
  });

  it('restarts a process whose liveness probe fails, through SIGTERM', async () => {
    const dir = await h.dir();
    const ev = join(dir, 'events');
    const sup = h.supervisor({ stateDir: dir, timeScale: 0.02 });
    const tpl = template({
      ports: [{ name: 'http', containerPort: 8080 }],
      env: [
        { name: 'LIVE_FAIL', value: '1' },
        { name: 'EVENTS_FILE', value: ev },
        { name: 'LOG_REQUESTS', value: '1' },
      ],
      // 25 s x 0.02 = 500 ms: the server listens by then, so the failures are its answers.
      livenessProbe: probe({ httpGet: { path: '/live', port: 'http' }, initialDelaySeconds: 25, periodSeconds: 1, failureThreshold: 2 }),
    });
    await sup.scale({ owner: 'sick', hash: 'h', revision: 1, template: tpl }, 1);
    const first = sup.pods('sick')[0];
    if (!first) throw new Error('no pod');
    await waitFor(() => (sup.pods('sick')[0]?.restarts ?? 0) >= 2, 20_000, 'two restarts');
    const now = sup.pods('sick')[0];
    expect(now?.name).toBe(first.name);
    expect(now?.port).toBe(first.port);
    expect(isGone(first.pid)).toBe(true);
    expect(events(ev).filter((e) => e.what === 'sigterm').length).toBeGreaterThanOrEqual(2);
    expect(lines(sup.logs(first.name)[0] ?? '').filter((l) => l === 'request /live').length).toBeGreaterThanOrEqual(4);
  });

  it('holds readiness back until the startup probe succeeds, and restarts a process that fails it', async () => {
    const dir = await h.dir();
    let everReady = false;
    const sup = h.supervisor({ stateDir: dir, timeScale: 0.02, onChange: () => (everReady ||= sup.endpoints('boot', 'h').length > 0) });
    // 25 s x 0.02 = 500 ms after the start, then every 20 ms; one failure restarts.
    const startupProbe = probe({ httpGet: { path: '/live', port: 80 }, initialDelaySeconds: 25, periodSeconds: 1, failureThreshold: 1 });
    const failing = template({ ports: [{ containerPort: 80 }], env: [{ name: 'LIVE_FAIL', value: '1' }], startupProbe });
    await sup.scale({ owner: 'boot', hash: 'h', revision: 1, template: failing }, 1);
    await waitFor(() => (sup.pods('boot')[0]?.restarts ?? 0) >= 1, 10_000, 'a restart after the failed startup probe');
    // Its port was open all along; without the startup probe passing it never became ready.
    expect(everReady).toBe(false);

    const passing = template({ ports: [{ containerPort: 80 }], startupProbe });
    await sup.scale({ owner: 'boot2', hash: 'h', revision: 1, template: passing }, 1);
    await waitFor(() => sup.endpoints('boot2', 'h').length === 1, 10_000, 'ready after the startup probe');
    expect(sup.pods('boot2')[0]?.restarts).toBe(0);
  });

  it('shutdown stops every pod and leaves no record behind', async () => {
    const dir = await h.dir();
    const sup = h.supervisor({ stateDir: dir });
    await sup.scale({ owner: 'a', hash: 'h', revision: 1, template: template({ ports: [{ containerPort: 80 }] }) }, 2);
    await sup.scale({ owner: 'b', hash: 'h', revision: 1, template: template({ ports: [{ containerPort: 80 }] }) }, 1);
    const pids = sup.pods().map((p) => p.pid);
    expect(pids).toHaveLength(3);
    await sup.shutdown();
    expect(pids.every(isGone)).toBe(true);
    expect(readdirSync(join(dir, 'pods'))).toEqual([]);
  });
});
