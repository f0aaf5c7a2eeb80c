/**
 * `baton controller` with many Rollouts progressing at once on the test bed
 * (scripts/k8s-testbed): N Rollouts (default 200, 2 replicas each, basic canary
 * `setWeight: 50, pause: 5s` at --time-scale 0.2) are created and reach Healthy, then every one
 * gets a new image at the same moment. Reported: the controller's CPU seconds and peak RSS for
 * the release, p50/p99 from the image change to the status that acknowledges it
 * (observedGeneration written) and to Healthy on the new revision, and API requests per rollout
 * step (the controller's k8s_request_total over N x (steps + 1 promotion)).
 *
 *   npx tsx bench/k8s/run.ts [--rollouts 200] [--keep]
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { KubeClient } from '../../src/adapters/kubernetes/client.js';
import { Informer } from '../../src/adapters/kubernetes/informer.js';
import { fromKubeconfig } from '../../src/adapters/kubernetes/kubeconfig.js';
import { RESOURCES, type KubeObject } from '../../src/adapters/kubernetes/resources.js';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');
const arg = (name: string, def: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? (process.argv[i + 1] ?? def) : def;
};
const N = Number(arg('rollouts', '200'));
const NS = 'bench';
const STEPS = 2;

const rollout = (i: number): object => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Rollout',
  metadata: { name: `r${i}`, namespace: NS },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: `r${i}` } },
    template: { metadata: { labels: { app: `r${i}` } }, spec: { containers: [{ name: 'app', image: 'app:v1' }] } },
    strategy: { canary: { steps: [{ setWeight: 50 }, { pause: { duration: 5 } }] } },
  },
});

function procStats(pid: number): { cpuSeconds: number; rssMiB: number; peakMiB: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  const ticks = Number(stat[11]) + Number(stat[12]);
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string): number => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { cpuSeconds: ticks / 100, rssMiB: kb('VmRSS') / 1024, peakMiB: kb('VmHWM') / 1024 };
}

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? NaN;
};

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'baton-bench-k8s-'));
  const script = join(ROOT, 'scripts/k8s-testbed');
  console.log(`test bed in ${dir} ...`);
  await run(script, ['up', dir], { maxBuffer: 1 << 24 });
  const kubeconfig = join(dir, 'kubeconfig');
  const client = new KubeClient(fromKubeconfig(kubeconfig));
  const ctl = spawn(process.execPath, [join(ROOT, 'bin/baton.js'), 'controller', '--kubeconfig', kubeconfig, '-n', NS, '--time-scale', '0.2', '--metrics', '127.0.0.1:0', '--workers', '10'], { env: { ...process.env, BATON_FROM_SOURCE: '1' }, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  ctl.stdout?.on('data', (b: Buffer) => (out += b.toString()));
  try {
    await client.create({ group: '', version: 'v1', plural: 'namespaces', kind: 'Namespace', namespaced: false }, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
    const rollouts = new Informer(client, RESOURCES.rollouts, { namespace: NS });
    const changedAt = new Map<string, number>();
    const ackAt = new Map<string, number>();
    const healthyAt = new Map<string, number>();
    let target = 1;
    rollouts.onChange((_t, o: KubeObject) => {
      const st = (o.status ?? {}) as { observedGeneration?: string; phase?: string; stableRS?: string; currentPodHash?: string };
      const gen = o.metadata.generation ?? 0;
      const name = o.metadata.name;
      if (gen < target || !changedAt.has(name)) return;
      if (st.observedGeneration === String(gen) && !ackAt.has(name)) ackAt.set(name, Date.now());
      if (st.observedGeneration === String(gen) && st.phase === 'Healthy' && st.stableRS === st.currentPodHash && !healthyAt.has(name)) healthyAt.set(name, Date.now());
    });
    rollouts.start();
    await rollouts.synced;
    for (let i = 0; i < N; i++) await client.create(RESOURCES.rollouts, NS, rollout(i));
    const healthy = (): number => rollouts.list(NS).filter((o) => (o.status as { phase?: string } | undefined)?.phase === 'Healthy').length;
    while (healthy() < N) await new Promise((r) => setTimeout(r, 500));
    const metricsLine = /metrics http:\/\/([^/]+)\/metrics/.exec(out)?.[1] ?? '';
    const requests = async (): Promise<number> => {
      const text = await (await fetch(`http://${metricsLine}/metrics`)).text();
      return text.split('\n').filter((l) => l.startsWith('k8s_request_total')).reduce((n, l) => n + Number(l.split(' ').pop()), 0);
    };
    const before = procStats(ctl.pid ?? 0);
    const reqBefore = await requests();
    console.log(`${N} rollouts Healthy; releasing v2 on all at once ...`);
    target = 2;
    const started = Date.now();
    await Promise.all(
      Array.from({ length: N }, async (_, i) => {
        changedAt.set(`r${i}`, Date.now());
        await client.patch(RESOURCES.rollouts, NS, `r${i}`, [{ op: 'replace', path: '/spec/template/spec/containers/0/image', value: 'app:v2' }], 'json');
      }),
    );
    while (healthyAt.size < N) await new Promise((r) => setTimeout(r, 200));
    const after = procStats(ctl.pid ?? 0);
    const reqAfter = await requests();
    const ack = [...ackAt].map(([n, t]) => t - (changedAt.get(n) ?? t));
    const done = [...healthyAt].map(([n, t]) => t - (changedAt.get(n) ?? t));
    const load = readFileSync('/proc/loadavg', 'utf8').split(' ')[0];
    console.log(`release of ${N} rollouts: ${((Date.now() - started) / 1000).toFixed(1)} s wall (pause 5 s at --time-scale 0.2 = 1 s), load average ${load}`);
    console.log(`change -> status acknowledged (observedGeneration): p50 ${pct(ack, 50)} ms, p99 ${pct(ack, 99)} ms`);
    console.log(`change -> Healthy on v2: p50 ${pct(done, 50)} ms, p99 ${pct(done, 99)} ms`);
    console.log(`controller CPU ${(after.cpuSeconds - before.cpuSeconds).toFixed(1)} s for the release, RSS ${after.rssMiB.toFixed(0)} MiB (peak ${after.peakMiB.toFixed(0)} MiB)`);
    console.log(`API requests: ${reqAfter - reqBefore} for ${N} x ${STEPS + 1} steps = ${((reqAfter - reqBefore) / (N * (STEPS + 1))).toFixed(1)} per rollout step`);
    await rollouts.stop();
  } finally {
    ctl.kill('SIGTERM');
    await client.close();
    if (!process.argv.includes('--keep')) await run(script, ['down', dir]);
  }
}

await main();
