import { mkdirSync, readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/core/errors.js';
import { waitFor } from '../support/net.js';
import { createHarness, getJson, lines, probe, template } from './support.js';

interface Info {
  argv: string[];
  cwd: string;
  env: Record<string, string | undefined>;
}

let h = createHarness();
afterEach(async () => {
  await h.cleanup();
  h = createHarness();
});

const readyProbe = (port: number | string = 8080) => probe({ httpGet: { path: '/ready', port }, periodSeconds: 1 });

describe('process supervisor: starting pods', () => {
  it('starts processes that become ready and are listed as endpoints, with PORT, POD_NAME and BATON_IMAGE', async () => {
    const dir = await h.dir();
    let changes = 0;
    const sup = h.supervisor({ stateDir: dir, timeScale: 0.05, onChange: () => changes++ });
    const tpl = template({ ports: [{ containerPort: 8080 }], readinessProbe: readyProbe() });
    await sup.scale({ owner: 'web', hash: 'abc123', revision: 1, template: tpl, namespace: 'shop' }, 2);

    const pods = sup.pods('web');
    expect(pods).toHaveLength(2);
    for (const p of pods) {
      expect(p.name).toMatch(/^web-abc123-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
      expect(p.pid).toBeGreaterThan(0);
      expect(p.address).toBe(`127.0.0.1:${p.port}`);
    }
    const eps = await waitFor(() => (sup.endpoints('web', 'abc123').length === 2 ? sup.endpoints('web', 'abc123') : undefined), 10_000, 'two ready endpoints');
    expect(eps.sort()).toEqual(pods.map((p) => p.address).sort());
    expect(sup.observe('web')).toEqual([{ hash: 'abc123', replicas: 2, readyReplicas: 2, availableReplicas: 2 }]);
    expect(sup.pods('web').every((p) => p.phase === 'Running' && p.ready && p.readySince !== undefined)).toBe(true);
    expect(changes).toBeGreaterThanOrEqual(4); // two starts, two ready

    for (const p of pods) {
      const info = await getJson<Info>(p.address, '/info');
      expect(info.env).toMatchObject({ PORT: String(p.port), POD_NAME: p.name, POD_NAMESPACE: 'shop', BATON_IMAGE: 'demo:v1' });
    }
    // The record of each pod is on disk for a supervisor that comes after.
    const rec = JSON.parse(readFileSync(join(dir, 'pods', `${pods[0]?.name}.json`), 'utf8')) as { pid: number };
    expect(rec.pid).toBe(pods[0]?.pid);
  });

  it('keeps a pod whose readiness probe fails out of the endpoints', async () => {
    const dir = await h.dir();
    const sup = h.supervisor({ stateDir: dir, timeScale: 0.05 });
    const tpl = template({
      ports: [{ containerPort: 8080 }],
      env: [{ name: 'READY_FAIL', value: '1' }, { name: 'LOG_REQUESTS', value: '1' }],
      readinessProbe: probe({ httpGet: { path: '/ready', port: 8080 }, periodSeconds: 1, failureThreshold: 1 }),
    });
    await sup.scale({ owner: 'bad', hash: 'h1', revision: 1, template: tpl }, 1);
    const [pod] = sup.pods('bad');
    if (!pod) throw new Error('no pod');
    // The process has answered several probes with 503 by now.
    await waitFor(() => lines(sup.logs(pod.name)[0] ?? '').filter((l) => l === 'request /ready').length >= 3, 10_000, 'three readiness probes');
    expect(sup.endpoints('bad', 'h1')).toEqual([]);
    expect(sup.pods('bad')[0]).toMatchObject({ phase: 'Starting', ready: false, restarts: 0 });
    expect(sup.observe('bad')).toEqual([{ hash: 'h1', replicas: 1, readyReplicas: 0, availableReplicas: 0 }]);
  });

  it('without a readiness probe, a pod is ready once its port accepts connections, or at once with no port', async () => {
    const dir = await h.dir();
    const sup = h.supervisor({ stateDir: dir });
    await sup.scale({ owner: 'tcp', hash: 'h1', revision: 1, template: template({ ports: [{ containerPort: 8080 }] }) }, 1);
    const [ep] = await waitFor(() => (sup.endpoints('tcp', 'h1').length ? sup.endpoints('tcp', 'h1') : undefined), 10_000, 'tcp ready');
    // Ready means the server answers now.
    expect((await getJson<Info>(ep ?? '', '/info')).argv).toEqual([]);

    const worker = template({ command: [process.execPath, '-e', 'setInterval(() => {}, 1000)'] });
    await sup.scale({ owner: 'worker', hash: 'h2', revision: 1, template: worker }, 1);
    expect(sup.pods('worker')[0]?.ready).toBe(true);
  });

  it('honours minReadySeconds before a ready pod counts as available', async () => {
    const dir = await h.dir();
    let changes = 0;
    const sup = h.supervisor({ stateDir: dir, timeScale: 0.2, onChange: () => changes++ });
    const tpl = template({ command: [process.execPath, '-e', 'setInterval(() => {}, 1000)'] });
    await sup.scale({ owner: 'slow', hash: 'h', revision: 1, template: tpl, minReadySeconds: 2 }, 1);
    expect(sup.observe('slow')).toEqual([{ hash: 'h', replicas: 1, readyReplicas: 1, availableReplicas: 0 }]);
    const before = changes;
    // 2 s x 0.2 = 400 ms; onChange tells when it has passed.
    await waitFor(() => changes > before, 5_000, 'onChange at availability');
    expect(sup.observe('slow')).toEqual([{ hash: 'h', replicas: 1, readyReplicas: 1, availableReplicas: 1 }]);
  });

  it('passes argv literally (no shell), with $(VAR) expanded from the env as Kubernetes does', async () => {
    const dir = await h.dir();
    const sup = h.supervisor({ stateDir: dir });
    const tpl = template({
      ports: [{ containerPort: 8080 }],
      env: [{ name: 'GREETING', value: 'hi' }],
      args: ['$HOME', 'a b', '*', '; echo x', '$(GREETING)', '$$(GREETING)', '$(NOPE)'],
    });
    await sup.scale({ owner: 'argv', hash: 'h', revision: 1, template: tpl }, 1);
    const [ep] = await waitFor(() => (sup.endpoints('argv', 'h').length ? sup.endpoints('argv', 'h') : undefined), 10_000, 'ready');
    const info = await getJson<Info>(ep ?? '', '/info');
    expect(info.argv).toEqual(['$HOME', 'a b', '*', '; echo x', 'hi', '$(GREETING)', '$(NOPE)']);
    expect(info.env.GREETING).toBe('hi');
  });

  it('runs in workingDir relative to the manifest directory', async () => {
    const dir = await h.dir();
    const manifests = join(dir, 'manifests');
    mkdirSync(join(manifests, 'app', 'sub'), { recursive: true });
    const sup = h.supervisor({ stateDir: join(dir, 'state'), baseDirFor: (owner) => (owner === 'wd' ? manifests : '/nonexistent') });
    await sup.scale({ owner: 'wd', hash: 'h', revision: 1, template: template({ ports: [{ containerPort: 80 }], workingDir: 'app/sub' }) }, 1);
    const [ep] = await waitFor(() => (sup.endpoints('wd', 'h').length ? sup.endpoints('wd', 'h') : undefined), 10_000, 'ready');
    expect((await getJson<Info>(ep ?? '', '/info')).cwd).toBe(realpathSync(join(manifests, 'app', 'sub')));
  });

  it('maps a probe port given by containerPort number or name to the picked port', async () => {
    const dir = await h.dir();
    const sup = h.supervisor({ stateDir: dir, timeScale: 0.05 });
    const byName = template({ ports: [{ name: 'http', containerPort: 3000 }], env: [{ name: 'LOG_REQUESTS', value: '1' }], readinessProbe: readyProbe('http') });
    const byNumber = template({ ports: [{ name: 'http', containerPort: 3000 }], readinessProbe: readyProbe(3000) });
    await sup.scale({ owner: 'named', hash: 'h', revision: 1, template: byName }, 1);
    await sup.scale({ owner: 'numbered', hash: 'h', revision: 1, template: byNumber }, 1);
    await waitFor(() => sup.endpoints('named', 'h').length === 1 && sup.endpoints('numbered', 'h').length === 1, 10_000, 'both ready');
    // A probe on a port the process does not listen on never succeeds.
    const elsewhere = template({ ports: [{ containerPort: 3000 }], env: [{ name: 'LOG_REQUESTS', value: '1' }], readinessProbe: readyProbe(1) });
    await sup.scale({ owner: 'elsewhere', hash: 'h', revision: 1, template: elsewhere }, 1);
    const named = sup.pods('named')[0];
    await waitFor(() => lines(sup.logs(named?.name ?? '')[0] ?? '').filter((l) => l === 'request /ready').length >= 3, 10_000, 'more probes of the named pod');
    expect(sup.endpoints('elsewhere', 'h')).toEqual([]);
  });

  it('writes stdout and stderr to the pod log file', async () => {
    const dir = await h.dir();
    const sup = h.supervisor({ stateDir: dir, logDir: join(dir, 'logs') });
    await sup.scale({ owner: 'logs', hash: 'h', revision: 1, template: template({ ports: [{ containerPort: 80 }], args: ['x'] }) }, 1);
    const pod = sup.pods('logs')[0];
    if (!pod) throw new Error('no pod');
    const file = join(dir, 'logs', `${pod.name}.log`);
    expect(sup.logs(pod.name)).toEqual([file]);
    expect(sup.logs({ owner: 'logs' })).toEqual([file]);
    expect(sup.logs({ owner: 'logs', hash: 'other' })).toEqual([]);
    expect(sup.logs({ owner: 'log' })).toEqual([]);
    const content = await waitFor(() => {
      const l = lines(file);
      return l.includes('hello from stderr') ? l : undefined;
    }, 10_000, 'log lines');
    expect(content).toContain(`listening ${pod.port} argv=["x"]`);
  });

  it('rejects a template without a command, naming the owner, before starting anything', async () => {
    const dir = await h.dir();
    const sup = h.supervisor({ stateDir: dir });
    const tpl = template({ command: [], args: [] });
    const err = await sup.scale({ owner: 'nocmd', hash: 'h', revision: 1, template: tpl }, 1).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidInputError);
    expect((err as InvalidInputError).code).toBe('no-command');
    expect((err as Error).message).toContain('nocmd');
    expect(sup.pods()).toEqual([]);
  });

  it('exports kube_pod_status_ready for every pod', async () => {
    const dir = await h.dir();
    const sup = h.supervisor({ stateDir: dir, namespace: 'default', timeScale: 0.05 });
    await sup.scale({ owner: 'ok', hash: 'h', revision: 1, template: template({ command: [process.execPath, '-e', 'setInterval(() => {}, 1000)'] }), namespace: 'prod' }, 1);
    const never = template({ ports: [{ containerPort: 80 }], env: [{ name: 'READY_FAIL', value: '1' }], readinessProbe: readyProbe(80) });
    await sup.scale({ owner: 'no', hash: 'h', revision: 1, template: never }, 1);
    const ok = sup.pods('ok')[0]?.name ?? '';
    const no = sup.pods('no')[0]?.name ?? '';
    const text = sup.podReadyMetrics();
    expect(text).toContain('# TYPE kube_pod_status_ready gauge\n');
    const samples = text.split('\n').filter((l) => l.startsWith('kube_pod_status_ready{'));
    expect(samples.sort()).toEqual(
      [
        `kube_pod_status_ready{namespace="prod",pod="${ok}",condition="true"} 1`,
        `kube_pod_status_ready{namespace="prod",pod="${ok}",condition="false"} 0`,
        `kube_pod_status_ready{namespace="prod",pod="${ok}",condition="unknown"} 0`,
        `kube_pod_status_ready{namespace="default",pod="${no}",condition="true"} 0`,
        `kube_pod_status_ready{namespace="default",pod="${no}",condition="false"} 1`,
        `kube_pod_status_ready{namespace="default",pod="${no}",condition="unknown"} 0`,
      ].sort(),
    );
  });
});
