/**
 * The tbyte example on the embedded default, for real: `baton up` runs the controller, the
 * gateway and every service as processes, and a second process puts steady load on the gateway.
 * One file, so these heavy tests run one after the other.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import type { WorkloadDetail } from '../../src/api/types.js';
import { BACKEND, FRONTEND, promotedAndOthersGone, startLoad, startUp, waitForEventView, type UpHandle } from '../support/baton-up.js';
import { freePort, tempDir, waitFor } from '../support/net.js';

const pidsOf = (d: WorkloadDetail, image?: string): number[] =>
  d.revisions.filter((r) => image === undefined || r.image === image).flatMap((r) => r.pods.map((p) => p.pid));

/** Rewrites one copied manifest of the example before `baton up` starts. */
const editManifest = (root: string, file: string, fn: (text: string) => string): void => {
  const path = join(root, 'manifests', file);
  writeFileSync(path, fn(readFileSync(path, 'utf8')));
};

/** The version (x-version header) that answers one request through the gateway. */
async function versionAt(gateway: string, headers: Record<string, string> = {}): Promise<string> {
  const r = await request(`${gateway}/`, { headers: { host: 'tbyte.local', ...headers } });
  await r.body.dump();
  return String(r.headers['x-version']);
}

/** Sequential requests through the gateway, each recorded with its start time and version. */
function startProbe(gateway: string): { stop(): Promise<{ t: number; status: number; version: string }[]> } {
  const seen: { t: number; status: number; version: string }[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const t = Date.now();
      try {
        // undici's request, not fetch: fetch does not send a Host header of our choosing.
        const r = await request(`${gateway}/`, { headers: { host: 'tbyte.local' } });
        const body = await r.body.text();
        const header = r.headers['x-version'];
        const version = typeof header === 'string' ? header : (/"version":"([^"]+)"/.exec(body)?.[1] ?? '?');
        seen.push({ t, status: r.statusCode, version });
      } catch {
        seen.push({ t, status: 0, version: '?' });
      }
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return seen;
    },
  };
}

let up: UpHandle | undefined;
afterEach(async () => {
  await up?.cleanup();
  up = undefined;
});

describe('baton up: a canary release under load', () => {
  it('rolls v2 out through every step at >= 500 requests/s with zero failed requests', async () => {
    up = await startUp();
    const before = await up.waitUntil(FRONTEND, (d) => d.phase === 'Healthy' && d.ready === 2, 60_000, 'v1 healthy');
    const v1Pids = before.revisions.flatMap((r) => r.pods.map((p) => p.pid));
    expect(v1Pids).toHaveLength(2);

    const load = await startLoad(`${up.gateway}/`, { rate: 600 });
    await up.call('POST', `/api/v1/workloads/${FRONTEND}/actions`, { action: 'set-image', images: { frontend: 'tbyte/frontend:v2' } });
    const done = await up.waitUntil(
      FRONTEND,
      promotedAndOthersGone('tbyte/frontend:v2'),
      120_000,
      'v2 promoted and v1 gone',
    );
    const result = await load.stop();

    // Every frontend process was replaced.
    const v2Pids = done.revisions.flatMap((r) => r.pods.map((p) => p.pid));
    expect(v2Pids).toHaveLength(2);
    expect(v2Pids.some((p) => v1Pids.includes(p))).toBe(false);
    // Through every step, with the seed's step analysis passing on live metrics.
    const events = await up.events();
    const weights = events.filter((e) => e.workload === FRONTEND && e.type === 'WeightChanged').map((e) => e.fields.canary);
    expect(weights).toEqual([10, 25, 50, 75, 100]);
    const stepRun = events.find((e) => e.type === 'AnalysisRunCompleted' && String(e.fields.run).includes('-2-2'));
    expect(stepRun?.fields.phase).toBe('Successful');
    // The seed's address was answered by the embedded Prometheus, and the tree says so.
    const metric = done.analysisRuns.find((r) => r.kind === 'Step')?.metrics.find((m) => m.name === 'error-rate');
    expect(metric).toMatchObject({ address: 'http://monitoring-kube-prometheus-prometheus.monitoring:9090', queriedAddress: `${up.api}/prometheus`, successful: 3 });
    const ready = (await (await fetch(`${up.api}/prometheus/api/v1/query?query=${encodeURIComponent('sum(kube_pod_status_ready{condition="true",namespace="tbyte"})')}`, { headers: { authorization: `Bearer ${up.token}` } })).json()) as { data: { result: { value: [number, string] }[] } };
    expect(Number(ready.data.result[0]?.value[1])).toBe(4);
    // Zero failed requests, at the rate asked.
    const seconds = (result.stoppedAt - result.startedAt) / 1000;
    expect(result.failures).toEqual([]);
    expect(result.failed).toBe(0);
    expect(result.total / seconds).toBeGreaterThanOrEqual(500);
  }, 240_000);
});

describe('baton up: a bad release', () => {
  it('is aborted by analysis, traffic back at 100 % stable within 1 s of the decision, stable untouched', async () => {
    up = await startUp();
    const before = await up.waitUntil(FRONTEND, (d) => d.phase === 'Healthy' && d.ready === 2, 60_000, 'v1 healthy');
    const load = await startLoad(`${up.gateway}/`, { rate: 300 });
    up.edit('frontend-rollout.yaml', (t) => t.replace('image: tbyte/frontend:v1', 'image: tbyte/frontend:v3').replace(/name: ERROR_RATE\n(\s*)value: "0"/, 'name: ERROR_RATE\n$1value: "0.5"'));
    const probe = startProbe(up.gateway);
    await up.apply();
    const after = await up.waitUntil(FRONTEND, (d) => d.aborted && d.phase === 'Degraded', 60_000, 'the bad release aborted');
    const events = await up.events();
    const aborted = events.find((e) => e.workload === FRONTEND && e.type === 'Aborted');
    expect(aborted?.wallAt).toBeDefined();
    const decision = aborted?.wallAt as number;
    // Keep probing past the 1 s bound.
    await new Promise((r) => setTimeout(r, 1500));
    const probes = await probe.stop();
    const result = await load.stop();

    expect(String(aborted?.fields.message)).toMatch(/analysis phase error\/failed: Metric "canary-error-rate" assessed Failed/);
    expect(after.canaryWeight).toBe(0);
    // The canary had traffic (and failed some of it) before the decision ...
    expect(probes.some((p) => p.version === 'tbyte/frontend:v3' && p.t < decision)).toBe(true);
    expect(result.failures.length).toBeGreaterThan(0);
    // ... and none once a second had passed after it.
    const late = probes.filter((p) => p.t > decision + 1000);
    expect(late.length).toBeGreaterThan(10);
    expect(late.filter((p) => p.version !== 'tbyte/frontend:v1' || p.status !== 200)).toEqual([]);
    expect(result.failures.filter((f) => f.t > decision + 1000)).toEqual([]);
    // The stable processes were never touched.
    expect(pidsOf(after, 'tbyte/frontend:v1').sort()).toEqual(pidsOf(before).sort());
  }, 180_000);

  it('that never becomes ready leaves stable untouched and the rollout Degraded after progressDeadlineSeconds', async () => {
    up = await startUp();
    const before = await up.waitUntil(FRONTEND, (d) => d.phase === 'Healthy' && d.ready === 2, 60_000, 'v1 healthy');
    const load = await startLoad(`${up.gateway}/`, { rate: 300 });
    up.edit('frontend-rollout.yaml', (t) =>
      t
        .replace('image: tbyte/frontend:v1', 'image: tbyte/frontend:v2')
        .replace(/readinessProbe:\n(\s*)httpGet:\n(\s*)path: \/healthz/, 'readinessProbe:\n$1httpGet:\n$2path: /never-ready')
        .replace('  replicas: 2\n', '  replicas: 2\n  progressDeadlineSeconds: 30\n'),
    );
    await up.apply();
    const after = await up.waitUntil(FRONTEND, (d) => d.phase === 'Degraded', 60_000, 'Degraded by the progress deadline');
    const result = await load.stop();
    expect(after.message).toMatch(/ProgressDeadlineExceeded/);
    expect(after.canaryWeight).toBe(0);
    const canary = after.revisions.find((r) => r.image === 'tbyte/frontend:v2');
    expect(canary?.ready).toBe(0);
    expect(pidsOf(after, 'tbyte/frontend:v1').sort()).toEqual(pidsOf(before).sort());
    expect(result.failures).toEqual([]);
  }, 180_000);
});

describe('baton up: a Deployment rolling update', () => {
  it('replaces every backend process under load with zero failed requests', async () => {
    up = await startUp();
    const before = await up.waitUntil(BACKEND, (d) => d.phase === 'Healthy' && d.ready === 2, 60_000, 'backend healthy');
    await up.waitUntil(FRONTEND, (d) => d.phase === 'Healthy', 60_000, 'frontend healthy');
    const load = await startLoad(`${up.gateway}/api/users`, { rate: 600 });
    await up.call('POST', `/api/v1/workloads/${BACKEND}/actions`, { action: 'set-image', images: { backend: 'tbyte/backend:v2' } });
    const after = await up.waitUntil(BACKEND, (d) => d.phase === 'Healthy' && d.currentImage === 'tbyte/backend:v2' && pidsOf(d).length === 2 && pidsOf(d, 'tbyte/backend:v1').length === 0, 120_000, 'backend v2 everywhere');
    const result = await load.stop();
    expect(pidsOf(after).some((p) => pidsOf(before).includes(p))).toBe(false);
    expect(result.failures).toEqual([]);
    expect(result.total / ((result.stoppedAt - result.startedAt) / 1000)).toBeGreaterThanOrEqual(500);
  }, 180_000);
});

describe('baton up: kill -9 of the controller mid-rollout', () => {
  it('loses no request and the rollout resumes at the step it was on', async () => {
    up = await startUp();
    await up.waitUntil(FRONTEND, (d) => d.phase === 'Healthy' && d.ready === 2, 60_000, 'v1 healthy');
    const gatewayBefore = JSON.parse(readFileSync(join(up.stateDir, 'gateway.json'), 'utf8')) as { pid: number };
    const load = await startLoad(`${up.gateway}/`, { rate: 300 });
    await up.call('POST', `/api/v1/workloads/${FRONTEND}/actions`, { action: 'set-image', images: { frontend: 'tbyte/frontend:v2' } });
    const mid = await up.waitUntil(FRONTEND, (d) => d.stepIndex === 4, 60_000, 'the pause after setWeight 25');
    const canaryPids = pidsOf(mid, 'tbyte/frontend:v2');
    up.proc.kill('SIGKILL');
    await new Promise((r) => up?.proc.once('exit', r));

    const { root, listen } = up;
    up = await startUp({ reuse: { root, listen } });
    const resumed = await up.detail(FRONTEND);
    expect(resumed.stepIndex).toBeGreaterThanOrEqual(4);
    // The running processes were re-adopted, not restarted.
    expect(pidsOf(resumed, 'tbyte/frontend:v2')).toEqual(expect.arrayContaining(canaryPids));
    const done = await up.waitUntil(FRONTEND, (d) => d.phase === 'Healthy' && d.stableImage === 'tbyte/frontend:v2', 120_000, 'v2 promoted after the restart');
    const result = await load.stop();

    const events = (await up.events()).filter((e) => e.workload === FRONTEND);
    expect(events.filter((e) => e.type === 'WeightChanged').map((e) => e.fields.canary)).toEqual([10, 25, 50, 75, 100]);
    expect(events.filter((e) => e.type === 'RevisionCreated')).toHaveLength(2);
    expect(done.revisions.find((r) => r.image === 'tbyte/frontend:v2')?.revision).toBe(2);
    const gatewayAfter = JSON.parse(readFileSync(join(up.stateDir, 'gateway.json'), 'utf8')) as { pid: number };
    expect(gatewayAfter.pid).toBe(gatewayBefore.pid);
    expect(result.failures).toEqual([]);
  }, 240_000);
});

describe('baton up: the CLI verbs against a running controller', () => {
  it('status, list, set image, promote --full, undo, history, logs and restart work end to end', async () => {
    up = await startUp();
    const u = up;
    const cli = (...args: string[]): { status: number | null; stdout: string; stderr: string } => {
      const r = spawnSync(process.execPath, [join(import.meta.dirname, '..', '..', 'bin', 'baton.js'), ...args, '--state-dir', u.stateDir], { encoding: 'utf8', timeout: 120_000 });
      return { status: r.status, stdout: r.stdout, stderr: r.stderr };
    };
    expect(cli('status', FRONTEND, '--timeout', '60s').status).toBe(0);
    const list = cli('list');
    expect(list.stdout).toContain(FRONTEND);
    expect(list.stdout).toContain(BACKEND);
    const v1 = await up.detail(FRONTEND);

    // KIND/NAME as kubectl writes it names the same workload; the wrong kind is refused.
    const wrongKind = cli('get', `deployment/${FRONTEND}`);
    expect(wrongKind.status).not.toBe(0);
    expect(wrongKind.stderr).toContain(`no Rollout or Deployment named "deployment/${FRONTEND}"`);
    expect(cli('set', 'image', `rollout/${FRONTEND}`, 'frontend=tbyte/frontend:v2').status).toBe(0);
    const audit = await up.call<{ actor: string; action: string; target: string }[]>('GET', `/api/v1/audit?workload=${FRONTEND}`);
    expect(audit.at(-1)).toMatchObject({ action: 'set-image', target: FRONTEND, actor: expect.stringMatching(/^cli:.+@.+/) as unknown });
    const json = JSON.parse(cli('get', 'rollout', FRONTEND, '-o', 'json').stdout) as WorkloadDetail;
    expect(json.currentImage).toBe('tbyte/frontend:v2');
    expect(cli('promote', FRONTEND, '--full').status).toBe(0);
    await up.waitUntil(FRONTEND, (d) => d.phase === 'Healthy' && d.stableImage === 'tbyte/frontend:v2', 60_000, 'v2 promoted in full');

    // undo: the previous template comes back as a new revision (Argo renumbers it), here promoted at once.
    expect(cli('undo', FRONTEND).status).toBe(0);
    expect(cli('promote', FRONTEND, '--full').status).toBe(0);
    const undone = await up.waitUntil(FRONTEND, (d) => d.phase === 'Healthy' && d.stableImage === 'tbyte/frontend:v1', 60_000, 'back on v1');
    expect(undone.revisions.find((r) => r.image === 'tbyte/frontend:v1')?.revision).toBe(3);
    const history = cli('history', `ro/${FRONTEND}`);
    expect(history.status).toBe(0);
    expect(history.stdout).toMatch(/tbyte\/frontend:v2/);
    const logs = cli('logs', FRONTEND);
    expect(logs.status).toBe(0);
    expect(logs.stdout.length + logs.stderr.length).toBeGreaterThan(0);

    // restart of a Rollout: every process replaced, no new revision.
    const beforeRestart = await up.detail(FRONTEND);
    expect(cli('restart', FRONTEND).status).toBe(0);
    const restarted = await up.waitUntil(FRONTEND, (d) => pidsOf(d).length === 2 && !pidsOf(d).some((p) => pidsOf(beforeRestart).includes(p)), 60_000, 'frontend processes replaced');
    expect(restarted.revisions.map((r) => r.revision)).toEqual(beforeRestart.revisions.map((r) => r.revision));
    // restart of a Deployment: a new revision rolls out.
    expect(cli('restart', BACKEND).status).toBe(0);
    const backend = await up.waitUntil(BACKEND, (d) => d.phase === 'Healthy' && (d.currentRevision ?? 0) >= 2 && pidsOf(d).length === 2, 60_000, 'backend restarted');
    expect(backend.currentRevision).toBe(2);
    expect(v1.stableImage).toBe('tbyte/frontend:v1');
  }, 300_000);
});

describe('baton up --detach and baton down', () => {
  it('runs in the background until baton down, which stops every process it started', async () => {
    const tmp = await tempDir('baton-detach-');
    const root = join(import.meta.dirname, '..', '..');
    const bin = join(root, 'bin', 'baton.js');
    for (const d of ['manifests', 'frontend', 'backend']) cpSync(join(root, 'examples', 'tbyte', d), join(tmp.path, d), { recursive: true });
    const stateDir = join(tmp.path, '.baton');
    const run = (...args: string[]): { status: number | null; stdout: string; stderr: string } => {
      const r = spawnSync(process.execPath, [bin, ...args], { cwd: tmp.path, encoding: 'utf8', timeout: 120_000 });
      return { status: r.status, stdout: r.stdout, stderr: r.stderr };
    };
    try {
      const listen = `127.0.0.1:${await freePort()}`;
      const upRun = run('up', '-f', 'manifests', '--detach', '--state-dir', stateDir, '--listen', listen, '--api', `127.0.0.1:${await freePort()}`, '--time-scale', '0.1');
      expect(upRun.stderr).toBe('');
      expect(upRun.status).toBe(0);
      expect(upRun.stdout).toMatch(/running in the background/);
      // A second controller on the same state dir is refused, naming the first.
      const second = run('up', '--state-dir', stateDir, '--listen', `127.0.0.1:${await freePort()}`, '--api', `127.0.0.1:${await freePort()}`);
      expect(second.status).toBe(1);
      expect(second.stderr).toMatch(/another controller \(pid \d+\) is running on/);
      expect(run('status', FRONTEND, '--state-dir', stateDir, '--timeout', '60s').status).toBe(0);
      const pods = readdirSync(join(stateDir, 'pods'));
      expect(pods.length).toBe(4);
      const down = run('down', '--state-dir', stateDir);
      expect(down.status).toBe(0);
      expect(readdirSync(join(stateDir, 'pods'))).toEqual([]);
      expect(existsSync(join(stateDir, 'controller.json'))).toBe(false);
      expect(existsSync(join(stateDir, 'gateway.json'))).toBe(false);
      // Nothing answers on the gateway address any more.
      await expect(fetch(`http://${listen}/`)).rejects.toThrow();
    } finally {
      run('down', '--state-dir', stateDir);
      await tmp.remove();
    }
  }, 180_000);
});

describe('baton up: the gateway process dies', () => {
  it('is started again by the controller on the same addresses, with the current routes', async () => {
    up = await startUp();
    await up.waitUntil(FRONTEND, (d) => d.phase === 'Healthy' && d.ready === 2, 60_000, 'v1 healthy');
    const before = JSON.parse(readFileSync(join(up.stateDir, 'gateway.json'), 'utf8')) as { pid: number; admin: string };
    const killedAt = Date.now();
    process.kill(before.pid, 'SIGKILL');
    const restarted = await waitForEventView(up, (e) => e.type === 'GatewayRestarted', 30_000, 'the controller to start the gateway again');
    // Stored on the engine clock like every event, so its wall time is right under --time-scale 0.1.
    expect(restarted.wallAt).toBeGreaterThanOrEqual(killedAt);
    expect(restarted.wallAt).toBeLessThanOrEqual(Date.now() + 1_000);
    const after = JSON.parse(readFileSync(join(up.stateDir, 'gateway.json'), 'utf8')) as { pid: number; admin: string };
    expect(after.pid).not.toBe(before.pid);
    expect(after.admin).toBe(before.admin);
    const r = await request(`${up.gateway}/`, { headers: { host: 'tbyte.local' } });
    expect(r.statusCode).toBe(200);
    expect(r.headers['x-version']).toBe('tbyte/frontend:v1');
    await r.body.dump();
  }, 120_000);
});

describe('baton up: a blue/green release', () => {
  it('brings v2 up behind the preview Service, switches the active Service on promote, with zero failed requests', async () => {
    up = await startUp({
      beforeStart: (root) => {
        editManifest(
          root,
          'frontend-rollout.yaml',
          (text) =>
            text.slice(0, text.indexOf('  strategy:')) +
            '  strategy:\n    blueGreen:\n      activeService: tbyte-microservices-frontend\n      previewService: tbyte-microservices-frontend-canary\n      autoPromotionEnabled: false\n',
        );
        editManifest(root, 'frontend-virtualservice.yaml', (text) =>
          text.replace(
            '  http:\n',
            '  http:\n  - match:\n    - headers:\n        x-preview:\n          exact: "yes"\n    route:\n    - destination:\n        host: tbyte-microservices-frontend-canary\n',
          ),
        );
      },
    });
    const version = (headers: Record<string, string> = {}): Promise<string> => versionAt(up?.gateway ?? '', headers);
    await up.waitUntil(FRONTEND, (d) => d.phase === 'Healthy' && d.ready === 2, 60_000, 'v1 active');
    const load = await startLoad(`${up.gateway}/`, { rate: 300 });
    await up.call('POST', `/api/v1/workloads/${FRONTEND}/actions`, { action: 'set-image', images: { frontend: 'tbyte/frontend:v2' } });
    const paused = await up.waitUntil(FRONTEND, (d) => d.phase === 'Paused' && (d.revisions.find((r) => r.image === 'tbyte/frontend:v2')?.ready ?? 0) === 2, 60_000, 'v2 up behind the preview Service');
    expect(paused.revisions.find((r) => r.image === 'tbyte/frontend:v2')?.roles).toContain('preview');
    expect(await version()).toBe('tbyte/frontend:v1');
    // The API reports the preview pods ready as the supervisor sees them; the gateway gets its new
    // config a moment later (an asynchronous push), so wait for the gateway itself.
    await waitFor(async () => (await version({ 'x-preview': 'yes' })) === 'tbyte/frontend:v2', 10_000, 'the preview route to reach v2');

    await up.call('POST', `/api/v1/workloads/${FRONTEND}/actions`, { action: 'promote' });
    await up.waitUntil(FRONTEND, (d) => d.phase === 'Healthy' && d.stableImage === 'tbyte/frontend:v2' && pidsOf(d, 'tbyte/frontend:v1').length === 0, 60_000, 'v2 active and v1 gone');
    expect(await version()).toBe('tbyte/frontend:v2');
    const result = await load.stop();
    expect(result.failures).toEqual([]);
  }, 180_000);
});

describe('baton up: header-routed and mirrored canary steps', () => {
  it('sends chosen requests to the canary by header and mirrors traffic, as the managed routes ask', async () => {
    up = await startUp({
      beforeStart: (root) => {
        editManifest(root, 'frontend-rollout.yaml', (text) => {
          const steps = text.indexOf('      steps:');
          const after = text.indexOf('      canaryService:');
          return (
            text.slice(0, steps).replace('        - name: ERROR_RATE\n', '        - name: LOG_REQUESTS\n          value: "1"\n        - name: ERROR_RATE\n') +
              '      steps:\n' +
              '      - setCanaryScale: {replicas: 1}\n' +
              '      - setHeaderRoute: {name: canary-header, match: [{headerName: x-canary, headerValue: {exact: always}}]}\n' +
              '      - setMirrorRoute: {name: canary-mirror, percentage: 100, match: [{method: {exact: GET}}]}\n' +
              '      - pause: {}\n' +
              text.slice(after).replace(/name: tbyte-microservices-gateway-vs\n?/, 'name: tbyte-microservices-gateway-vs\n        managedRoutes:\n        - name: canary-header\n        - name: canary-mirror\n')
          );
        });
      },
    });
    const version = (headers: Record<string, string> = {}): Promise<string> => versionAt(up?.gateway ?? '', headers);
    await up.waitUntil(FRONTEND, (d) => d.phase === 'Healthy' && d.ready === 2, 60_000, 'v1 healthy');
    await up.call('POST', `/api/v1/workloads/${FRONTEND}/actions`, { action: 'set-image', images: { frontend: 'tbyte/frontend:v2' } });
    const paused = await up.waitUntil(FRONTEND, (d) => d.phase === 'Paused' && d.stepIndex === 3, 60_000, 'the pause after the routes');
    expect(paused.canaryWeight).toBe(0);
    const plain = await Promise.all(Array.from({ length: 20 }, () => version()));
    expect(new Set(plain)).toEqual(new Set(['tbyte/frontend:v1']));
    expect(await version({ 'x-canary': 'always' })).toBe('tbyte/frontend:v2');
    // Mirrored: every one of those 20 requests also reached the canary, as a copy (Envoy's
    // `-shadow` Host), whose answer no user saw.
    const canaryRevision = paused.revisions.find((r) => r.image === 'tbyte/frontend:v2')?.revision ?? 0;
    const logs = await up.call<{ files: { text: string }[] }>('GET', `/api/v1/logs?workload=${FRONTEND}&revision=${canaryRevision}`);
    const shadowed = logs.files.flatMap((f) => f.text.split('\n')).filter((l) => l === 'GET / host=tbyte.local-shadow');
    expect(shadowed.length).toBeGreaterThanOrEqual(20);

    await up.call('POST', `/api/v1/workloads/${FRONTEND}/actions`, { action: 'promote' });
    const done = await up.waitUntil(FRONTEND, (d) => d.phase === 'Healthy' && d.stableImage === 'tbyte/frontend:v2', 60_000, 'v2 promoted');
    expect(done.stableImage).toBe('tbyte/frontend:v2');
    expect(await version({ 'x-canary': 'always' })).toBe('tbyte/frontend:v2');
    const events = (await up.events()).filter((e) => e.workload === FRONTEND).map((e) => e.type);
    expect(events).toEqual(expect.arrayContaining(['HeaderRouteSet', 'MirrorRouteSet', 'ManagedRoutesRemoved']));
  }, 180_000);
});
