/**
 * Faults with `baton controller` on the test bed: the controller killed with SIGKILL in the
 * middle of the step analysis resumes at its step and adopts the AnalysisRuns it had (no
 * duplicate run); the API server restarted mid-rollout: the controller's watches reconnect and
 * the rollout goes on to the end.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasPrometheus } from '../support/prometheus.js';
import { startTestbed, testbedUnavailable, type Testbed } from '../support/k8s-testbed.js';
import { waitFor } from '../support/net.js';
import { applyFrontend, FRONTEND, NS, rolloutObject, setImage, startController, startMetrics, type ControllerProcess, type Metrics, type NamedList } from './controller-harness.js';

const unavailable = testbedUnavailable() ?? (hasPrometheus() ? undefined : 'no prometheus binary (Debian package prometheus)');

interface RunFields {
  status?: { phase: string; metricResults?: { name: string; count: number }[] };
}

describe.skipIf(unavailable !== undefined)(`baton controller under faults${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let bed: Testbed;
  let metrics: Metrics;
  let controller: ControllerProcess | undefined;
  const args = (): string[] => ['--time-scale', '0.1', '--prometheus', metrics.prometheus.url, '-n', NS];

  beforeAll(async () => {
    bed = await startTestbed();
    metrics = await startMetrics(bed);
    await applyFrontend(bed);
    controller = startController(bed, args());
    await waitFor(async () => ((await rolloutObject(bed)).status?.phase === 'Healthy' ? true : undefined), 120_000, 'revision 1 Healthy');
  }, 240_000);

  afterAll(async () => {
    await controller?.stop();
    await metrics?.stop();
    await bed?.down();
  });

  const runs = async (): Promise<NamedList<RunFields>['items']> => (await bed.getJson<NamedList<RunFields>>(['-n', NS, 'get', 'analysisrun'])).items;

  it('killed with SIGKILL during the step analysis, a new controller resumes at that step with the same AnalysisRuns', async () => {
    await setImage(bed, 'tbyte/frontend:v2');
    const hash = await waitFor(async () => {
      const r = await rolloutObject(bed);
      return r.status?.currentStepIndex === 2 && r.status.currentPodHash !== r.status.stableRS ? r.status.currentPodHash : undefined;
    }, 60_000, 'the step analysis running');
    const stepRun = `${FRONTEND}-${hash}-2-2`;
    // At least one measurement taken, the run not finished: the middle of the analysis.
    await waitFor(async () => (await runs()).find((r) => r.metadata.name === stepRun && r.status?.phase === 'Running' && (r.status.metricResults ?? []).some((m) => m.count >= 1)), 60_000, 'a measurement of the step run');
    await controller?.stop('SIGKILL');
    const indexAtKill = (await rolloutObject(bed)).status?.currentStepIndex ?? -1;

    controller = startController(bed, args());
    await controller.waitForLine(/caches synced/);
    const seenIndexes: number[] = [];
    const done = await waitFor(async () => {
      const r = await rolloutObject(bed);
      if (r.status?.currentStepIndex !== undefined) seenIndexes.push(r.status.currentStepIndex);
      return r.status?.phase === 'Healthy' && r.status.stableRS === hash ? r : undefined;
    }, 150_000, 'v2 Healthy after the restart');
    expect(done.status?.currentStepIndex).toBe(9);
    // Never back to an earlier step.
    expect(Math.min(...seenIndexes)).toBeGreaterThanOrEqual(indexAtKill);
    const names = (await runs()).map((r) => r.metadata.name).sort();
    expect(names).toEqual([`${FRONTEND}-${hash}-2`, stepRun]);
    const step = (await runs()).find((r) => r.metadata.name === stepRun);
    expect(step?.status?.phase).toBe('Successful');
    // Each metric took its count of measurements once: none started over.
    expect(step?.status?.metricResults?.map((m) => m.count)).toEqual([3, 3, 3]);
  }, 300_000);

  it('the API server restarted mid-rollout: the controller reconnects and the rollout goes on', async () => {
    const v2 = (await rolloutObject(bed)).status?.stableRS ?? '';
    await setImage(bed, 'tbyte/frontend:v3');
    await waitFor(async () => {
      const r = await rolloutObject(bed);
      return r.status?.currentPodHash !== v2 && (r.status?.currentStepIndex ?? 0) >= 1 ? true : undefined;
    }, 60_000, 'v3 past its first step');
    await restartApiServer(bed);
    const r = await waitFor(async () => {
      const o = await rolloutObject(bed).catch(() => undefined);
      return o?.status?.phase === 'Healthy' && o.status.stableRS === o.status.currentPodHash && o.status.stableRS !== v2 ? o : undefined;
    }, 180_000, 'v3 Healthy after the API server restart');
    expect(r.status?.currentStepIndex).toBe(9);
    expect(controller?.output()).toMatch(/error: watch rollouts: .*(ECONNREFUSED|other side closed|socket)/);
  }, 300_000);
});

/** Stops kube-apiserver (SIGKILL) and starts it again with the same command line, as a crash and a restart would. */
async function restartApiServer(bed: Testbed): Promise<void> {
  const pidFile = join(bed.dir, 'pids', 'kube-apiserver');
  const pid = Number(readFileSync(pidFile, 'utf8'));
  const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  process.kill(-pid, 'SIGKILL');
  await waitFor(() => {
    try {
      process.kill(pid, 0);
      return undefined;
    } catch {
      return true;
    }
  }, 10_000, 'kube-apiserver gone');
  // Down for a moment, long enough for every watch to break.
  await new Promise((r) => setTimeout(r, 2_000));
  const [cmd = '', ...rest] = argv;
  const child = spawn(cmd, rest, { detached: true, stdio: 'ignore' });
  child.unref();
  // The test bed's `down` stops what its pid file names.
  const { writeFileSync } = await import('node:fs');
  writeFileSync(pidFile, String(child.pid));
  await waitFor(async () => ((await bed.kubectl(['get', '--raw', '/readyz']).catch(() => '')) === 'ok' ? true : undefined), 120_000, 'kube-apiserver ready again');
}
