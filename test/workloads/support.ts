/**
 * Helpers for the process-supervisor tests: pod templates for the fixture apps, supervisors
 * that are cleaned up after each test, and checks on outside processes.
 */
import { isAlive } from '../../src/adapters/fs/pid-lock.js';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PROBE_DEFAULTS } from '../../src/core/spec/defaults.js';
import type { Container, PodTemplateSpec, Probe } from '../../src/core/spec/types.js';
import {
  createProcessSupervisor,
  type ProcessSupervisor,
  type ProcessSupervisorOptions,
} from '../../src/adapters/workloads/processes/index.js';
import { tempDir, waitFor } from '../support/net.js';

export const APPS = resolve(import.meta.dirname, '../fixtures/apps');
export const SERVER = join(APPS, 'server.mjs');

/** A probe with Kubernetes defaults and the given fields. */
export function probe(p: Partial<Probe>): Probe {
  return { ...PROBE_DEFAULTS, ...p };
}

/** A pod template running `node <script> ...args` with the given container fields. */
export function template(c: Partial<Container> & { script?: string } = {}, grace = 30): PodTemplateSpec {
  const { script = SERVER, ...rest } = c;
  return {
    metadata: { labels: { app: 'demo' }, annotations: {} },
    spec: {
      containers: [{ name: 'app', image: 'demo:v1', command: [process.execPath, script], args: [], env: [], ports: [], ...rest }],
      terminationGracePeriodSeconds: grace,
      raw: {},
    },
  };
}

export { isAlive };

/** True once `pid` no longer runs (a zombie counts as gone: it runs nothing). */
export function isGone(pid: number): boolean {
  return !isAlive(pid);
}

/** Lines of a file, [] when it does not exist yet. */
export function lines(file: string): string[] {
  try {
    return readFileSync(file, 'utf8').split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

/** GET http://address/path as JSON. */
export async function getJson<T>(address: string, path: string): Promise<T> {
  const res = await fetch(`http://${address}${path}`);
  return (await res.json()) as T;
}

/**
 * Supervisors and pids created in a test; `cleanup` stops every supervisor, kills every process
 * group it saw with SIGKILL and waits until each pid is gone.
 */
export function createHarness() {
  const sups: ProcessSupervisor[] = [];
  const pids = new Set<number>();
  const dirs: { remove: () => Promise<void> }[] = [];
  const remember = (s: ProcessSupervisor): void => {
    for (const p of s.pods()) if (p.pid > 0) pids.add(p.pid);
  };
  return {
    pids,
    async dir(): Promise<string> {
      const d = await tempDir('baton-workloads-');
      dirs.push(d);
      return d.path;
    },
    supervisor(opts: ProcessSupervisorOptions): ProcessSupervisor {
      const s = createProcessSupervisor({
        ...opts,
        onChange: () => {
          remember(s);
          opts.onChange?.();
        },
      });
      sups.push(s);
      remember(s);
      return s;
    },
    /** Records pids started outside a harness supervisor. */
    track(pid: number): void {
      pids.add(pid);
    },
    async cleanup(): Promise<void> {
      for (const s of sups) remember(s);
      for (const s of sups) await s.stop();
      for (const pid of pids) {
        try {
          process.kill(-pid, 'SIGKILL');
        } catch {
          // Gone already.
        }
      }
      await waitFor(() => [...pids].every(isGone), 10_000, 'every test process to be gone');
      for (const pid of pids) if (!isGone(pid)) throw new Error(`process ${pid} still runs`);
      for (const d of dirs) await d.remove();
    },
  };
}
