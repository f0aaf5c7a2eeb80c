/**
 * A real Kubernetes cluster for a test file: `scripts/k8s-testbed up` in a temp dir (etcd,
 * kube-apiserver, kube-controller-manager, kube-scheduler, KWOK nodes, kube-state-metrics, Argo
 * Rollouts' and Istio's CRDs), and `down` when the file is done. The binaries are built once by
 * `scripts/k8s-testbed build` (`.ci/run` does it first); without them the tests are skipped with
 * that reason, except in CI where a missing test bed fails the run.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { tempDir } from './net.js';

const run = promisify(execFile);
const SCRIPT = resolve(import.meta.dirname, '../../scripts/k8s-testbed');

/** Why the test bed cannot run here, or undefined when it can. */
export function testbedUnavailable(): string | undefined {
  let bin: string;
  try {
    bin = execFileSync(SCRIPT, ['bin-dir'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch (e) {
    return `scripts/k8s-testbed bin-dir failed: ${(e as Error).message}`;
  }
  const missing = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubectl', 'kwok', 'kube-state-metrics'].filter((b) => !existsSync(join(bin, b)));
  if (missing.length === 0) return undefined;
  const reason = `the Kubernetes test bed is not built (${missing.join(', ')} missing in ${bin}): run scripts/k8s-testbed build (about half an hour cold; .ci/run does it)`;
  if (process.env.CI) throw new Error(reason);
  return reason;
}

export interface Testbed {
  dir: string;
  kubeconfig: string;
  /** Values of `<dir>/env`: TESTBED_API, TESTBED_KUBE_STATE_METRICS, TESTBED_BIN, ... */
  env: Record<string, string>;
  /** Runs the test bed's own kubectl against it; resolves with stdout. */
  kubectl(args: string[], input?: string): Promise<string>;
  /** `kubectl ... -o json`, parsed. */
  getJson<T = unknown>(args: string[]): Promise<T>;
  down(): Promise<void>;
}

function parseEnv(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) env[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return env;
}

/** Starts a cluster in a fresh temp dir (about 10-20 s once built). */
export async function startTestbed(): Promise<Testbed> {
  const tmp = await tempDir('baton-k8s-');
  const dir = tmp.path;
  try {
    await run(SCRIPT, ['up', dir], { maxBuffer: 16 * 1024 * 1024 });
  } catch (e) {
    await run(SCRIPT, ['down', dir]).catch(() => undefined);
    throw new Error(`k8s-testbed up failed: ${(e as { stderr?: string }).stderr ?? (e as Error).message} (logs in ${dir}/logs)`);
  }
  const env = parseEnv(readFileSync(join(dir, 'env'), 'utf8'));
  const kubeconfig = join(dir, 'kubeconfig');
  const kubectl = async (args: string[], input?: string): Promise<string> => {
    const child = run(join(dir, 'bin', 'kubectl'), ['--kubeconfig', kubeconfig, ...args], { maxBuffer: 64 * 1024 * 1024 });
    if (input !== undefined) {
      child.child.stdin?.end(input);
    }
    const { stdout } = await child;
    return stdout;
  };
  return {
    dir,
    kubeconfig,
    env,
    kubectl,
    getJson: async <T>(args: string[]) => JSON.parse(await kubectl([...args, '-o', 'json'])) as T,
    down: async () => {
      await run(SCRIPT, ['down', dir]);
      await tmp.remove();
    },
  };
}
