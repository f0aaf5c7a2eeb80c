/**
 * deploy/rbac.yaml grants what the controller uses: `baton controller` runs with the
 * baton-controller ServiceAccount's token (and leader election in baton-system, as
 * deploy/controller.yaml runs it) and carries the tbyte frontend through a release with its
 * analysis, without one request refused.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasPrometheus } from '../support/prometheus.js';
import { startTestbed, testbedUnavailable, type Testbed } from '../support/k8s-testbed.js';
import { waitFor } from '../support/net.js';
import { applyFrontend, BATON, NS, rolloutObject, setImage, startMetrics, type Metrics } from './controller-harness.js';
import { spawn, type ChildProcess } from 'node:child_process';

const unavailable = testbedUnavailable() ?? (hasPrometheus() ? undefined : 'no prometheus binary (Debian package prometheus)');
const DEPLOY = resolve(import.meta.dirname, '../../deploy');

describe.skipIf(unavailable !== undefined)(`deploy/rbac.yaml${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let bed: Testbed;
  let metrics: Metrics;
  let proc: ChildProcess | undefined;
  let out = '';

  beforeAll(async () => {
    bed = await startTestbed();
    metrics = await startMetrics(bed);
    for (const f of ['namespace.yaml', 'rbac.yaml']) await bed.kubectl(['apply', '-f', '-'], readFileSync(join(DEPLOY, f), 'utf8'));
    await applyFrontend(bed);
  }, 240_000);

  afterAll(async () => {
    if (proc && proc.exitCode === null) {
      const exited = new Promise((r) => proc?.once('exit', r));
      proc.kill('SIGTERM');
      await exited;
    }
    await metrics?.stop();
    await bed?.down();
  });

  it('the ServiceAccount can do everything a release needs', async () => {
    const token = (await bed.kubectl(['-n', 'baton-system', 'create', 'token', 'baton-controller', '--duration', '1h'])).trim();
    const kubeconfig = join(bed.dir, 'baton-controller.kubeconfig');
    writeFileSync(kubeconfig, `apiVersion: v1
kind: Config
clusters: [{name: testbed, cluster: {server: "${bed.env.TESTBED_API ?? ''}", certificate-authority: ${join(bed.dir, 'pki', 'ca.crt')}}}]
users: [{name: sa, user: {token: "${token}"}}]
contexts: [{name: sa, context: {cluster: testbed, user: sa, namespace: baton-system}}]
current-context: sa
`);
    proc = spawn(process.execPath, [BATON, 'controller', '--kubeconfig', kubeconfig, '--leader-elect', '--time-scale', '0.1', '--prometheus', metrics.prometheus.url], { env: { ...process.env, BATON_FROM_SOURCE: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    proc.stdout?.on('data', (b: Buffer) => (out += b.toString()));
    proc.stderr?.on('data', (b: Buffer) => (out += b.toString()));
    await waitFor(() => out.includes('leading as') || undefined, 60_000, 'the controller leading');
    await waitFor(async () => ((await rolloutObject(bed)).status?.phase === 'Healthy' ? true : undefined), 120_000, 'revision 1 Healthy');
    const v1 = (await rolloutObject(bed)).status?.stableRS;
    await setImage(bed, 'tbyte/frontend:v2');
    const r = await waitFor(async () => {
      const o = await rolloutObject(bed);
      return o.status?.phase === 'Healthy' && o.status.stableRS === o.status.currentPodHash && o.status.stableRS !== v1 ? o : undefined;
    }, 180_000, 'v2 Healthy');
    expect(r.status?.currentStepIndex).toBe(9);
    expect(out).not.toMatch(/Forbidden|forbidden|403/);
    expect(await bed.kubectl(['-n', NS, 'get', 'analysisrun', '-o', 'name'])).toMatch(/analysisrun.argoproj.io\//);
  }, 300_000);
});
