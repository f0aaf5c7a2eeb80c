/**
 * Starts a real Prometheus server (Debian's `prometheus` package) on a free 127.0.0.1 port with
 * a given config, for tests that must talk to the real thing. `.ci/run` installs the package.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort, stopChild, tempDir, waitFor } from './net.js';

export const PROMETHEUS_BIN = process.env.PROMETHEUS_BIN ?? '/usr/bin/prometheus';

export function hasPrometheus(): boolean {
  return existsSync(PROMETHEUS_BIN);
}

export interface RunningPrometheus {
  url: string;
  port: number;
  dataDir: string;
  stop(): Promise<void>;
}

/** `configYaml` is written as prometheus.yml; the server is ready when /-/ready answers 200. */
export async function startPrometheus(configYaml: string, extraArgs: string[] = []): Promise<RunningPrometheus> {
  if (!hasPrometheus()) throw new Error(`${PROMETHEUS_BIN} not found: install Debian's prometheus package (see .ci/run)`);
  const dir = await tempDir('baton-prom-');
  const configFile = join(dir.path, 'prometheus.yml');
  await writeFile(configFile, configYaml);
  const port = await freePort();
  const child: ChildProcess = spawn(
    PROMETHEUS_BIN,
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${join(dir.path, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
      ...extraArgs,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (b: Buffer) => {
    stderr += b.toString();
    if (stderr.length > 20_000) stderr = stderr.slice(-10_000);
  });
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await waitFor(async () => {
      if (child.exitCode !== null) throw new Error(`prometheus exited: ${stderr}`);
      const res = await fetch(`${url}/-/ready`).catch(() => undefined);
      return res?.status === 200;
    }, 20_000, 'prometheus to be ready');
  } catch (e) {
    child.kill('SIGKILL');
    await dir.remove();
    throw e;
  }
  return {
    url,
    port,
    dataDir: join(dir.path, 'data'),
    async stop() {
      await stopChild(child, exited);
      await dir.remove();
    },
  };
}
