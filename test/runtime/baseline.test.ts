/**
 * The baseline option on the real runtime (docs/release-safety.md "Baseline"): `baton up` runs
 * the controller, the gateway and each revision's processes; requests through the gateway say
 * which process answered (test/fixtures/apps/role-echo.mjs), and the gateway's own /metrics and
 * /config are read with its admin token. One file, so these heavy tests run one after the other.
 */
import { copyFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkloadDetail } from '../../src/api/types.js';
import { FRONTEND, promotedAndOthersGone, startUp, type UpHandle } from '../support/baton-up.js';
import { waitFor } from '../support/net.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures');

/** Who answered one request: `BATON_ROLE` (baseline pods only), image, pid. */
interface Answer {
  role: string | null;
  image: string | null;
  pid: number;
}

/** `n` sequential GETs of / through the gateway (sequential: the round-robin sees them in order). */
async function sample(gateway: string, n: number): Promise<Answer[]> {
  const out: Answer[] = [];
  for (let i = 0; i < n; i++) {
    // undici's request, not fetch: fetch does not send a Host header of our choosing.
    const r = await request(`${gateway}/`, { headers: { host: 'tbyte.local' } });
    const text = await r.body.text();
    if (r.statusCode !== 200) throw new Error(`GET / through the gateway: ${r.statusCode} ${text}`);
    out.push(JSON.parse(text) as Answer);
  }
  return out;
}

type Side = 'stable' | 'canary' | 'baseline';

/** Each answer's side: baseline by its role, else canary when it runs `canaryImage`. */
function sides(answers: Answer[], canaryImage: string): Record<Side, Answer[]> {
  const by: Record<Side, Answer[]> = { stable: [], canary: [], baseline: [] };
  for (const a of answers) by[a.role === 'baseline' ? 'baseline' : a.image === canaryImage ? 'canary' : 'stable'].push(a);
  return by;
}

/**
 * z for a two-sided 1e-6 false-alarm rate. The gateway's smooth weighted round-robin is exact
 * over every window of sum(weights) requests (docs/gateway.md), so the observed share is usually
 * right on; the bound is the one a random splitter at that weight would meet, so a split that
 * is off by a few points fails while neither kind of splitter trips it by chance.
 */
const Z = 4.9;

/** Asserts `count` of `n` requests is within Z binomial standard deviations of `share` (0..1). */
function expectShare(count: number, n: number, share: number, what: string): void {
  const sd = Math.sqrt(n * share * (1 - share));
  const tolerance = Z * sd;
  const ok = Math.abs(count - n * share) <= tolerance;
  expect(ok, `${what}: ${count} of ${n} requests, expected ${n * share} +- ${tolerance.toFixed(1)}`).toBe(true);
}

/** The gateway's admin API, with the controller's token (docs/gateway.md "Under baton up"). */
function gatewayAdmin(up: UpHandle): { get(path: string): Promise<string> } {
  const info = JSON.parse(readFileSync(join(up.stateDir, 'gateway.json'), 'utf8')) as { admin: string };
  const token = readFileSync(join(up.stateDir, 'gateway', 'admin.token'), 'utf8').trim();
  return {
    async get(path) {
      const r = await fetch(`${info.admin}${path}`, { headers: { authorization: `Bearer ${token}` } });
      const text = await r.text();
      if (!r.ok) throw new Error(`gateway admin GET ${path}: ${r.status} ${text}`);
      return text;
    },
  };
}

interface GatewayConfig {
  routes: { name: string; destinations: { cluster: string; weight: number }[] }[];
  clusters: Record<string, { endpoints: string[]; labels?: Record<string, string> }>;
}

/** The VirtualService route the Rollout manages, as the gateway compiles it (docs/gateway.md "From manifests"). */
const VS_ROUTE = 'tbyte/tbyte-microservices-gateway-vs/0';

/**
 * The managed route's share (percent) per cluster role, and the baseline's cluster if routed.
 * Shares, not raw weights: the compiled weights are divided by their gcd (60/20/20 -> 3/1/1).
 */
async function frontendWeights(up: UpHandle): Promise<{ weights: Record<string, number>; baselineCluster?: { name: string; endpoints: string[]; labels: Record<string, string> } }> {
  const config = JSON.parse(await gatewayAdmin(up).get('/config')) as GatewayConfig;
  const route = config.routes.find((r) => r.name === VS_ROUTE);
  if (!route) throw new Error(`no route ${VS_ROUTE} in the gateway config: ${config.routes.map((r) => r.name).join(', ')}`);
  const total = route.destinations.reduce((n, d) => n + d.weight, 0);
  const weights: Record<string, number> = {};
  let baselineCluster: { name: string; endpoints: string[]; labels: Record<string, string> } | undefined;
  for (const d of route.destinations) {
    const cluster = config.clusters[d.cluster];
    const role = cluster?.labels?.role ?? '?';
    weights[role] = (weights[role] ?? 0) + (d.weight * 100) / total;
    if (role === 'baseline' && cluster) baselineCluster = { name: d.cluster, endpoints: cluster.endpoints, labels: cluster.labels ?? {} };
  }
  return baselineCluster ? { weights, baselineCluster } : { weights };
}

/** Waits until the gateway routes the frontend with exactly these role shares (0 = absent or 0). */
async function waitForWeights(up: UpHandle, want: Record<Side, number>): Promise<Awaited<ReturnType<typeof frontendWeights>>> {
  let last: Awaited<ReturnType<typeof frontendWeights>> | undefined;
  try {
    return await waitFor(
      async () => {
        last = await frontendWeights(up);
        const w = last.weights;
        return (['stable', 'canary', 'baseline'] as const).every((r) => (w[r] ?? 0) === want[r]) && last;
      },
      30_000,
      `gateway weights ${JSON.stringify(want)}`,
    );
  } catch (e) {
    throw new Error(`${e instanceof Error ? e.message : String(e)}; last seen ${JSON.stringify(last?.weights)}; config ${await gatewayAdmin(up).get('/config')}`);
  }
}

/** `sum(http_requests_total{role="baseline"...})` as the gateway's /metrics counts it, by revision. */
function baselineRequestCounts(metricsText: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of metricsText.split('\n')) {
    if (!line.startsWith('http_requests_total{') || !line.includes('role="baseline"')) continue;
    const revision = /revision="([^"]*)"/.exec(line)?.[1] ?? '';
    counts.set(revision, (counts.get(revision) ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1)));
  }
  return counts;
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const canaryPods = (d: WorkloadDetail, image: string): number => d.revisions.filter((r) => r.image === image).reduce((n, r) => n + r.pods.length, 0);

let up: UpHandle;
beforeAll(async () => {
  up = await startUp({
    beforeStart(root) {
      // examples/tbyte's Services, VirtualService and Gateway, with the fixture Rollout for the frontend.
      for (const f of ['backend.yaml', 'backend-virtualservice.yaml', 'frontend-analysis.yaml', 'frontend-canary-health.yaml']) rmSync(join(root, 'manifests', f));
      copyFileSync(join(FIXTURES, 'manifests', 'baseline', 'rollout.yaml'), join(root, 'manifests', 'frontend-rollout.yaml'));
      mkdirSync(join(root, 'role-echo'));
      copyFileSync(join(FIXTURES, 'apps', 'role-echo.mjs'), join(root, 'role-echo', 'role-echo.mjs'));
    },
  });
  await up.waitUntil(FRONTEND, (d) => d.phase === 'Healthy' && d.ready === 2, 60_000, 'v1 healthy');
}, 90_000);
afterAll(async () => {
  await up?.cleanup();
});

const pausedAt = (stepIndex: number) => (d: WorkloadDetail) => d.stepIndex === stepIndex && d.paused;

describe('baton up: the baseline revision', () => {
  it('serves the canary weight beside it, is counted under role="baseline", and goes at promotion', async () => {
    const stableImage = (await up.detail(FRONTEND)).stableImage as string;
    await up.call('POST', `/api/v1/workloads/${FRONTEND}/actions`, { action: 'set-image', images: { frontend: 'tbyte/frontend:v2' } });

    // setWeight 20: canary 20, baseline 20 taken from the stable's 80.
    const at20 = await up.waitUntil(FRONTEND, pausedAt(1), 60_000, 'paused at 20 %');
    const routed20 = await waitForWeights(up, { stable: 60, canary: 20, baseline: 20 });
    const n = 400;
    const first = sides(await sample(up.gateway, n), 'tbyte/frontend:v2');
    expectShare(first.baseline.length, n, 0.2, 'baseline at 20 %');
    expectShare(first.canary.length, n, 0.2, 'canary at 20 %');
    expectShare(first.stable.length, n, 0.6, 'stable at 20 %');
    // The baseline runs the stable's image in processes of its own, as many as the canary has.
    expect(new Set(first.baseline.map((a) => a.image))).toEqual(new Set([stableImage]));
    const baselinePids = new Set(first.baseline.map((a) => a.pid));
    expect(first.stable.filter((a) => baselinePids.has(a.pid))).toEqual([]);
    expect(baselinePids.size).toBe(canaryPods(at20, 'tbyte/frontend:v2'));
    expect(routed20.baselineCluster?.endpoints).toHaveLength(baselinePids.size);

    // setWeight 75: past half the baseline gets what the stable has left (25), the stable none.
    await up.call('POST', `/api/v1/workloads/${FRONTEND}/actions`, { action: 'promote' });
    const at75 = await up.waitUntil(FRONTEND, pausedAt(3), 60_000, 'paused at 75 %');
    const routed75 = await waitForWeights(up, { stable: 0, canary: 75, baseline: 25 });
    const second = sides(await sample(up.gateway, n), 'tbyte/frontend:v2');
    expect(second.stable).toEqual([]);
    expectShare(second.baseline.length, n, 0.25, 'baseline at 75 %');
    expectShare(second.canary.length, n, 0.75, 'canary at 75 %');
    for (const a of second.baseline) baselinePids.add(a.pid);
    expect(new Set(second.baseline.map((a) => a.pid)).size).toBe(canaryPods(at75, 'tbyte/frontend:v2'));

    // The gateway counted exactly what reached the baseline, under role="baseline" and its revision.
    const counts = baselineRequestCounts(await gatewayAdmin(up).get('/metrics'));
    const baselineHash = routed75.baselineCluster?.labels.revision as string;
    expect(routed20.baselineCluster?.labels).toMatchObject({ role: 'baseline', rollout: FRONTEND, revision: baselineHash });
    expect([...counts.entries()]).toEqual([[baselineHash, first.baseline.length + second.baseline.length]]);

    // Promotion: the baseline's processes stop, its cluster leaves the route, nothing reaches it.
    await up.call('POST', `/api/v1/workloads/${FRONTEND}/actions`, { action: 'promote' });
    await up.waitUntil(FRONTEND, promotedAndOthersGone('tbyte/frontend:v2'), 60_000, 'v2 promoted');
    await waitForWeights(up, { stable: 100, canary: 0, baseline: 0 });
    await waitFor(() => [...baselinePids].every((p) => !alive(p)), 30_000, `baseline pids ${[...baselinePids].join(', ')} gone`);
    const after = await sample(up.gateway, 50);
    expect(after.filter((a) => a.role !== null || a.image !== 'tbyte/frontend:v2')).toEqual([]);
    const scaled = (await up.events()).filter((e) => e.type === 'Scaled' && e.fields.role === 'baseline').map((e) => e.fields.replicas);
    expect(scaled.at(-1)).toBe(0);
  }, 240_000);

  it('goes at once on abort, while the canary waits out abortScaleDownDelaySeconds', async () => {
    const before = await up.waitUntil(FRONTEND, (d) => d.phase === 'Healthy', 60_000, 'healthy before the abort test');
    const stableImage = before.stableImage as string;
    await up.call('POST', `/api/v1/workloads/${FRONTEND}/actions`, { action: 'set-image', images: { frontend: 'tbyte/frontend:v3' } });
    await up.waitUntil(FRONTEND, pausedAt(1), 60_000, 'paused at 20 %');
    await waitForWeights(up, { stable: 60, canary: 20, baseline: 20 });
    const seen = sides(await sample(up.gateway, 100), 'tbyte/frontend:v3');
    const baselinePids = new Set(seen.baseline.map((a) => a.pid));
    const canaryPids = new Set(seen.canary.map((a) => a.pid));
    expect(baselinePids.size).toBeGreaterThan(0);
    expect(canaryPids.size).toBeGreaterThan(0);

    await up.call('POST', `/api/v1/workloads/${FRONTEND}/actions`, { action: 'abort', reason: 'baseline test' });
    await up.waitUntil(FRONTEND, (d) => d.aborted, 30_000, 'aborted');
    await waitForWeights(up, { stable: 100, canary: 0, baseline: 0 });
    // The canary is kept 600 s (60 s at --time-scale 0.1) after an abort; the baseline is not.
    await waitFor(() => [...baselinePids].every((p) => !alive(p)), 30_000, `baseline pids ${[...baselinePids].join(', ')} gone`);
    expect([...canaryPids].every(alive)).toBe(true);
    // The abort action records Aborted; the reconcile that follows stops the baseline first of
    // all scaling, while the canary (revision 3 here) stays for its delay.
    const events = await up.events();
    const abortedAt = events.findLastIndex((e) => e.workload === FRONTEND && e.type === 'Aborted');
    expect(abortedAt).toBeGreaterThanOrEqual(0);
    const scaledSince = events.slice(abortedAt + 1).filter((e) => e.type === 'Scaled');
    expect(scaledSince[0]?.fields).toMatchObject({ role: 'baseline', replicas: 0 });
    expect(scaledSince.filter((e) => e.fields.role === undefined && e.fields.replicas === 0)).toEqual([]);
    const after = await sample(up.gateway, 50);
    expect(after.filter((a) => a.role !== null || a.image !== stableImage)).toEqual([]);
  }, 180_000);
});
