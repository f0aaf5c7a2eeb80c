/** The job provider with real child processes (`node -e ...`), never through a shell. */
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Container, JobProvider } from '../../../src/core/spec/types.js';
import { createJobProvider } from '../../../src/adapters/metrics/job/index.js';
import type { MeasureContext } from '../../../src/ports/metrics-provider.js';
import { tempDir, waitFor } from '../../support/net.js';
import { isAlive as alive } from '../../workloads/support.js';
import { runMetricsProviderContract } from './contract.js';
import { containing } from './matchers.js';

const NODE = process.execPath;

function job(container: Partial<Container>, extra: Partial<JobProvider> = {}, graceSeconds = 30): JobProvider {
  return {
    type: 'job',
    backoffLimit: 0,
    template: {
      metadata: { labels: {}, annotations: {} },
      spec: {
        containers: [{ name: 'check', image: 'node:20', command: [], args: [], env: [], ports: [], ...container }],
        terminationGracePeriodSeconds: graceSeconds,
        raw: {},
      },
    },
    ...extra,
  };
}
/** `node -e <script> args...` */
const nodeJob = (script: string, args: string[] = [], container: Partial<Container> = {}, extra: Partial<JobProvider> = {}, grace?: number): JobProvider =>
  job({ command: [NODE, '-e', script], args, ...container }, extra, grace);

let dir: { path: string; remove: () => Promise<void> };
const ctx = (signal = new AbortController().signal): MeasureContext => ({ signal, runName: 'run-1', metricName: 'smoke', baseDir: dir.path });

beforeAll(async () => {
  dir = await tempDir('baton-job-');
});
afterAll(async () => {
  await dir?.remove();
});

describe('job provider', () => {
  const provider = createJobProvider();

  it('is Successful when the process exits 0', async () => {
    expect(await provider.measure(nodeJob('process.exit(0)'), ctx())).toEqual({ kind: 'job', phase: 'Successful' });
  });

  it('is Failed with the exit code and the tail of stderr', async () => {
    const r = await provider.measure(nodeJob('console.error("first line"); console.error("database unreachable"); process.exit(3)'), ctx());
    expect(r).toMatchObject({ kind: 'job', phase: 'Failed' });
    if (r.kind === 'job') {
      expect(r.message).toContain('backoff limit');
      expect(r.message).toContain('exit code 3');
      expect(r.message).toContain('database unreachable');
    }
  });

  it('shows the tail of stdout when stderr is empty', async () => {
    const r = await provider.measure(nodeJob('console.log("checked 3 endpoints, 1 down"); process.exit(2)'), ctx());
    expect(r).toMatchObject({ kind: 'job', phase: 'Failed', message: containing('exit code 2: checked 3 endpoints, 1 down') });
  });

  it('keeps only the tail of a huge stderr in the message', async () => {
    const r = await provider.measure(nodeJob('process.stderr.write("x".repeat(200000) + "THE END"); process.exitCode = 1'), ctx());
    expect(r).toMatchObject({ kind: 'job', phase: 'Failed' });
    if (r.kind === 'job') {
      expect(r.message).toMatch(/THE END$/);
      expect((r.message ?? '').length).toBeLessThan(700);
    }
  });

  it('passes env by name and value, on top of the base environment', async () => {
    const script = 'process.exit(process.env.TARGET === "shop" && process.env.EMPTY === "" && !!process.env.PATH ? 0 : 7)';
    const env = [{ name: 'TARGET', value: 'shop' }, { name: 'EMPTY', value: '' }];
    expect(await provider.measure(nodeJob(script, [], { env }), ctx())).toEqual({ kind: 'job', phase: 'Successful' });
    expect(await provider.measure(nodeJob(script), ctx())).toMatchObject({ phase: 'Failed', message: containing('exit code 7') });
  });

  it('reports env valueFrom as unsupported, naming the variable', async () => {
    const r = await provider.measure(nodeJob('0', [], { env: [{ name: 'TOKEN', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }] }), ctx());
    expect(r).toMatchObject({ kind: 'error', message: containing('env TOKEN: valueFrom') });
  });

  it('runs in workingDir, relative to the manifest directory', async () => {
    await mkdir(join(dir.path, 'checks'), { recursive: true });
    const script = 'require("fs").writeFileSync("marker.txt", process.cwd())';
    expect(await provider.measure(nodeJob(script, [], { workingDir: 'checks' }), ctx())).toEqual({ kind: 'job', phase: 'Successful' });
    expect(await readFile(join(dir.path, 'checks', 'marker.txt'), 'utf8')).toBe(join(dir.path, 'checks'));
  });

  it('passes arguments literally, never through a shell', async () => {
    const script = 'process.exit(process.argv[1] === "$(echo hi)" && process.argv[2] === "; touch pwned" && process.argv[3] === "*" ? 0 : 9)';
    const r = await provider.measure(nodeJob(script, ['$(echo hi)', '; touch pwned', '*']), ctx());
    expect(r).toEqual({ kind: 'job', phase: 'Successful' });
    expect(existsSync(join(dir.path, 'pwned'))).toBe(false);
  });

  it('retries backoffLimit times before Failed', async () => {
    const counter = join(dir.path, 'attempts');
    // Fails on attempts 1 and 2, succeeds on 3.
    const script = `const fs=require("fs");const f=${JSON.stringify(counter)};const n=(fs.existsSync(f)?Number(fs.readFileSync(f,"utf8")):0)+1;fs.writeFileSync(f,String(n));process.exit(n>=3?0:1)`;
    expect(await provider.measure(nodeJob(script, [], {}, { backoffLimit: 2 }), ctx())).toEqual({ kind: 'job', phase: 'Successful' });
    expect(await readFile(counter, 'utf8')).toBe('3');
    const counter2 = join(dir.path, 'attempts2');
    const r = await provider.measure(nodeJob(script.replace(JSON.stringify(counter), JSON.stringify(counter2)), [], {}, { backoffLimit: 1 }), ctx());
    expect(r).toMatchObject({ kind: 'job', phase: 'Failed', message: containing('(2 attempts)') });
    expect(await readFile(counter2, 'utf8')).toBe('2');
  });

  it('fails a process past activeDeadlineSeconds, and kills it', async () => {
    const pidFile = join(dir.path, 'deadline.pid');
    const script = `require("fs").writeFileSync(${JSON.stringify(pidFile)}, String(process.pid)); setInterval(() => {}, 1000)`;
    const started = performance.now();
    const r = await provider.measure(nodeJob(script, [], {}, { activeDeadlineSeconds: 1 }), ctx());
    const elapsed = performance.now() - started;
    expect(r).toMatchObject({ kind: 'job', phase: 'Failed', message: containing('active longer than specified deadline (activeDeadlineSeconds: 1)') });
    expect(elapsed).toBeGreaterThanOrEqual(900);
    expect(elapsed).toBeLessThan(5_000);
    expect(alive(Number(await readFile(pidFile, 'utf8')))).toBe(false);
  });

  it('keeps a very long activeDeadlineSeconds as a long deadline', async () => {
    // 30 days is past what a Node timer holds; the job must still run to its own end.
    expect(await provider.measure(nodeJob('setTimeout(() => process.exit(0), 300)', [], {}, { activeDeadlineSeconds: 30 * 86_400 }), ctx())).toEqual({
      kind: 'job',
      phase: 'Successful',
    });
  });

  it('kills the process and its children when the signal aborts, and is Inconclusive', async () => {
    const pidFile = join(dir.path, 'abort.pid');
    // The job starts a grandchild and writes both pids; both must be gone after the abort.
    const script = [
      'const { spawn } = require("child_process");',
      'const g = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });',
      `require("fs").writeFileSync(${JSON.stringify(pidFile)}, process.pid + " " + g.pid);`,
      'setInterval(() => {}, 1000);',
    ].join('\n');
    const ac = new AbortController();
    const pending = provider.measure(nodeJob(script), ctx(ac.signal));
    const pids = await waitFor(async () => (existsSync(pidFile) ? (await readFile(pidFile, 'utf8')).split(' ').map(Number) : undefined), 10_000, 'the job to start');
    expect(pids.every(alive)).toBe(true);
    ac.abort();
    expect(await pending).toEqual({ kind: 'job', phase: 'Inconclusive', message: 'job terminated' });
    const [main, grandchild] = pids as [number, number];
    expect(alive(main)).toBe(false);
    // The grandchild got the same signal; its end is not reported to Baton, so wait for it (bounded).
    await waitFor(() => !alive(grandchild), 2_000, `grandchild ${grandchild} to exit`);
  });

  it('escalates to SIGKILL after the grace when SIGTERM is ignored', async () => {
    const pidFile = join(dir.path, 'stubborn.pid');
    const script = `process.on("SIGTERM", () => {}); require("fs").writeFileSync(${JSON.stringify(pidFile)}, String(process.pid)); setInterval(() => {}, 1000)`;
    const ac = new AbortController();
    const pending = provider.measure(nodeJob(script, [], {}, {}, 1), ctx(ac.signal));
    const pid = await waitFor(async () => (existsSync(pidFile) ? Number(await readFile(pidFile, 'utf8')) : undefined), 10_000, 'the job to start');
    const started = performance.now();
    ac.abort();
    expect(await pending).toMatchObject({ kind: 'job', phase: 'Inconclusive' });
    expect(performance.now() - started).toBeGreaterThanOrEqual(900);
    expect(alive(pid)).toBe(false);
  });

  it('is Failed when the command cannot be started', async () => {
    const r = await provider.measure(job({ command: [join(dir.path, 'no-such-binary')] }, { backoffLimit: 3 }), ctx());
    expect(r).toMatchObject({ kind: 'job', phase: 'Failed', message: containing('ENOENT') });
  });

  it('is Failed, not thrown, for an argument the OS cannot take', async () => {
    expect(await provider.measure(nodeJob('0', ['a\u0000b']), ctx())).toMatchObject({ kind: 'job', phase: 'Failed' });
  });

  it('is Failed when workingDir does not exist', async () => {
    const r = await provider.measure(nodeJob('0', [], { workingDir: 'no/such/dir' }), ctx());
    expect(r).toMatchObject({ kind: 'job', phase: 'Failed', message: containing('no/such/dir') });
  });

  it('reports a container without a command as an Error naming it', async () => {
    expect(await provider.measure(job({ command: [], args: [] }), ctx())).toMatchObject({ kind: 'error', message: containing('container "check" has no command') });
  });

  it('uses args alone as argv when there is no command', async () => {
    expect(await provider.measure(job({ args: [NODE, '-e', 'process.exit(0)'] }), ctx())).toEqual({ kind: 'job', phase: 'Successful' });
  });
});

runMetricsProviderContract('job', async () => {
  const d = await tempDir('baton-job-contract-');
  const started = join(d.path, 'started');
  return {
    provider: createJobProvider({ killGraceMs: 1_000 }),
    good: nodeJob('process.exit(0)'),
    failing: nodeJob('process.exit(1)'),
    hanging: nodeJob(`require("fs").writeFileSync(${JSON.stringify(started)}, "1"); setInterval(() => {}, 1000)`),
    hangingStarted: () => waitFor(() => existsSync(started), 10_000, 'the job to start').then(() => undefined),
    cleanup: () => d.remove(),
  };
});
