/**
 * `baton apply` and `baton up` against a real controller (the tbyte example as real processes):
 * apply merges into the set in force and deletes only with --prune; a restart with the files
 * never rolls an edit back; --prometheus takes every template's queries to a real Prometheus;
 * the state dir is private. One file, so these heavy tests run one after the other.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AuditView, ControllerStatus, EventsPage, WorkloadDetail, WorkloadSummary } from '../../src/api/types.js';
import { BACKEND, FRONTEND, startUp, type UpHandle } from '../support/baton-up.js';
import { tempDir } from '../support/net.js';
import { hasPrometheus, startPrometheus, type RunningPrometheus } from '../support/prometheus.js';

const BATON = join(import.meta.dirname, '..', '..', 'bin', 'baton.js');
let up: UpHandle | undefined;
let prom: RunningPrometheus | undefined;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
  await up?.cleanup();
  up = undefined;
  await prom?.stop();
  prom = undefined;
});

function cli(u: UpHandle, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BATON, ...args, '--state-dir', u.stateDir], { cwd: u.root, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const names = async (u: UpHandle): Promise<string[]> => (await u.call<WorkloadSummary[]>('GET', '/api/v1/workloads')).map((w) => w.name).sort();

/** Stops the controller (SIGTERM: everything stops) and waits for it to exit. */
async function stop(u: UpHandle): Promise<void> {
  if (u.proc.exitCode !== null) return;
  const exited = new Promise((r) => u.proc.once('exit', r));
  u.proc.kill('SIGTERM');
  await exited;
}

describe('baton apply: a merge into the set in force', () => {
  it('keeps what the files do not hold, deletes only with --prune (listed first, dry run first, never from an empty set), each deletion an event and an audit record', async () => {
    up = await startUp();
    const u = up;
    await u.waitUntil(BACKEND, (d) => d.phase === 'Healthy', 60_000, 'backend healthy');
    const all = [BACKEND, FRONTEND].sort();
    expect(await names(u)).toEqual(all);

    // A partial apply: the frontend stays.
    const partial = cli(u, 'apply', '-f', 'manifests/backend.yaml');
    expect(partial.stderr).toBe('');
    expect(partial.status).toBe(0);
    expect(partial.stdout).toContain('deployment/tbyte-microservices-backend -n tbyte unchanged\n');
    expect(await names(u)).toEqual(all);
    // The Rollout's Services and templates live in other files applied before: accepted.
    const rolloutAlone = cli(u, 'apply', '-f', 'manifests/frontend-rollout.yaml');
    expect(rolloutAlone.stderr).toBe('');
    expect(rolloutAlone.stdout).toContain(`rollout/${FRONTEND} -n tbyte unchanged\n`);

    // --dry-run: the plan, nothing changed.
    const dry = cli(u, 'apply', '-f', 'manifests/backend.yaml', 'manifests/backend-virtualservice.yaml', '--prune', '--dry-run');
    expect(dry.status).toBe(0);
    expect(dry.stdout).toContain(`rollout/${FRONTEND} -n tbyte pruned (dry run)`);
    expect(dry.stdout).toContain('dry run: nothing changed');
    expect(await names(u)).toEqual(all);

    // An empty set is refused with --prune; without it, it changes nothing.
    await expect(u.call('POST', '/api/v1/apply', { files: [], prune: true })).rejects.toThrow(/400 .*prune-empty/);
    expect(await u.call('POST', '/api/v1/apply', { files: [] })).toMatchObject({ changed: false, pruned: [] });
    expect(await names(u)).toEqual(all);

    // --prune for real: listed on stderr first, then gone, with an event and an audit record each.
    const pruned = cli(u, 'apply', '-f', 'manifests/backend.yaml', 'manifests/backend-virtualservice.yaml', '--prune');
    expect(pruned.status).toBe(0);
    expect(pruned.stderr).toContain(`baton: --prune deletes rollout/${FRONTEND} -n tbyte`);
    expect(pruned.stdout).toContain(`rollout/${FRONTEND} -n tbyte pruned`);
    expect(await names(u)).toEqual([BACKEND]);
    const events = (await u.call<EventsPage>('GET', '/api/v1/events?limit=10000')).events.filter((e) => e.type === 'ManifestPruned');
    expect(events.map((e) => e.fields.object)).toContain(`Rollout/tbyte/${FRONTEND}`);
    expect(events.find((e) => e.fields.object === `Rollout/tbyte/${FRONTEND}`)?.workload).toBe(FRONTEND);
    const audit = await u.call<AuditView[]>('GET', '/api/v1/audit?limit=1000');
    const prunes = audit.filter((a) => a.action === 'prune');
    expect(prunes.map((a) => a.target)).toContain(FRONTEND);
    expect(prunes.length).toBe(events.length);
    expect(prunes[0]?.actor).toMatch(/^cli:/);
  }, 240_000);
});

describe('baton up -f over a set in force', () => {
  it('never rolls back an edit in force: it says which objects differ and runs the set in force; --apply-files applies the files', async () => {
    up = await startUp();
    await up.waitUntil(BACKEND, (d) => d.phase === 'Healthy', 60_000, 'backend healthy');
    await up.call('POST', `/api/v1/workloads/${BACKEND}/actions`, { action: 'set-image', images: { backend: 'tbyte/backend:v9' } });
    await up.waitUntil(BACKEND, (d) => d.phase === 'Healthy' && d.stableImage === 'tbyte/backend:v9', 60_000, 'backend on v9');
    await stop(up);
    const reuse = { root: up.root, listen: up.listen };
    const manifests = up.manifests;

    // The restart the CLI's own hint suggests, with the files as they were first applied.
    up = await startUp({ reuse, extraArgs: ['-f', manifests] });
    expect(up.output()).toMatch(/the files given with -f differ from the set in force/);
    expect(up.output()).toMatch(/differ from the set in force: Deployment\/tbyte-microservices-backend \(namespace tbyte\) from .*backend\.yaml:\d+/);
    const kept = await up.waitUntil(BACKEND, (d) => d.phase === 'Healthy', 60_000, 'backend healthy after the restart');
    expect(kept.stableImage).toBe('tbyte/backend:v9');
    expect(kept.currentImage).toBe('tbyte/backend:v9');
    await stop(up);

    up = await startUp({ reuse, extraArgs: ['-f', manifests, '--apply-files'] });
    expect(up.output()).toContain('the files were applied over the set in force (--apply-files)');
    await up.waitUntil(BACKEND, (d) => d.phase === 'Healthy' && d.stableImage === 'tbyte/backend:v1', 60_000, 'backend back on the files\' v1');
  }, 300_000);

  it('keeps the state dir private: no file or directory in it readable by others', async () => {
    up = await startUp();
    await up.waitUntil(BACKEND, (d) => d.phase === 'Healthy', 60_000, 'backend healthy');
    const loose: string[] = [];
    const walk = (d: string): void => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        const p = join(d, e.name);
        if (e.isSymbolicLink()) continue;
        if ((statSync(p).mode & 0o077) !== 0) loose.push(`${p} ${(statSync(p).mode & 0o777).toString(8)}`);
        if (e.isDirectory()) walk(p);
      }
    };
    expect((statSync(up.stateDir).mode & 0o777).toString(8)).toBe('700');
    walk(up.stateDir);
    expect(loose).toEqual([]);
  }, 120_000);
});

describe.skipIf(!hasPrometheus())('baton up --prometheus', () => {
  it("sends every template's queries to that Prometheus; the embedded one answers only with the token", async () => {
    const logDir = await tempDir('baton-querylog-');
    cleanups.push(logDir.remove);
    // Prometheus 2.x logs every query it runs (global.query_log_file), so the test sees them arrive.
    const queryLog = join(logDir.path, 'queries.log');
    prom = await startPrometheus(`global:\n  scrape_interval: 1s\n  query_log_file: ${queryLog}\nscrape_configs: []\n`);
    up = await startUp({ extraArgs: ['--prometheus', prom.url] });
    const status = await up.call<ControllerStatus>('GET', '/api/v1/status');
    expect(status.prometheus).toBe(prom.url);
    expect(status.addressMap).toEqual({ 'http://monitoring-kube-prometheus-prometheus.monitoring:9090': prom.url });
    await up.waitUntil(FRONTEND, (d) => d.phase === 'Healthy', 60_000, 'frontend healthy');
    await up.call('POST', `/api/v1/workloads/${FRONTEND}/actions`, { action: 'set-image', images: { frontend: 'tbyte/frontend:v2' } });
    const measured = await up.waitUntil(FRONTEND, (d) => d.analysisRuns.some((r) => r.metrics.some((m) => m.count > 0)), 90_000, 'a measurement');
    const metric = measured.analysisRuns.flatMap((r) => r.metrics).find((m) => m.count > 0);
    expect(metric?.queriedAddress).toBe(prom.url);
    const logged = readFileSync(queryLog, 'utf8');
    expect(logged).toContain('job=\\"tbyte-microservices\\"');

    const embedded = `${up.api}/prometheus/api/v1/query?query=up`;
    expect((await fetch(embedded)).status).toBe(401);
    expect((await fetch(embedded, { headers: { authorization: `Bearer ${up.token}` } })).status).toBe(200);
    const detail = await up.call<WorkloadDetail>('GET', `/api/v1/workloads/${FRONTEND}`);
    expect(detail.name).toBe(FRONTEND);
  }, 240_000);
});
