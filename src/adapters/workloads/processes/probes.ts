/**
 * Probes as the kubelet runs them (`pkg/kubelet/prober/prober.go`, `worker.go`): httpGet
 * succeeds on a status 200-399 within `timeoutSeconds`, tcpSocket when a connection opens, exec
 * when the command exits 0. A probe's result only changes after `successThreshold` consecutive
 * successes or `failureThreshold` consecutive failures.
 */
import { spawn } from 'node:child_process';
import { request, type IncomingMessage } from 'node:http';
import { request as requestTls } from 'node:https';
import { connect } from 'node:net';
import type { Probe } from '../../../core/spec/types.js';

/** Where a probe of one pod goes and what an exec probe runs with. */
export interface ProbeTarget {
  port: number;
  cwd: string;
  env: Record<string, string>;
}

/**
 * One GET to 127.0.0.1; true on 200-399. HTTPS skips certificate checks, as the kubelet's
 * prober does (`pkg/probe/http/http.go` InsecureSkipVerify).
 */
export function httpProbe(port: number, path: string, headers: { name: string; value: string }[], timeoutMs: number, scheme = 'HTTP'): Promise<boolean> {
  return new Promise((resolve) => {
    const h: Record<string, string> = { 'user-agent': 'kube-probe/baton', accept: '*/*', connection: 'close' };
    for (const x of headers) h[x.name.toLowerCase()] = x.value;
    const options = { host: '127.0.0.1', port, path: path.startsWith('/') ? path : `/${path}`, method: 'GET', headers: h, agent: false, timeout: timeoutMs };
    const onResponse = (res: IncomingMessage): void => {
      res.resume();
      const code = res.statusCode ?? 0;
      resolve(code >= 200 && code < 400);
    };
    const req = scheme.toUpperCase() === 'HTTPS' ? requestTls({ ...options, rejectUnauthorized: false }, onResponse) : request(options, onResponse);
    req.on('timeout', () => req.destroy(new Error('probe timeout')));
    req.on('error', () => resolve(false));
    req.end();
  });
}

/** True when a TCP connection to 127.0.0.1:`port` opens within `timeoutMs`. */
export function tcpProbe(port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ host: '127.0.0.1', port });
    const done = (ok: boolean): void => {
      clearTimeout(timer);
      sock.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

/** Runs argv (no shell) with the pod's environment; true when it exits 0 within `timeoutMs`. */
export function execProbe(argv: string[], target: ProbeTarget, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const [file, ...args] = argv;
    if (file === undefined) return resolve(false);
    const child = spawn(file, args, { cwd: target.cwd, env: { ...process.env, ...target.env }, stdio: 'ignore', shell: false });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', () => {
      clearTimeout(timer);
      resolve(false);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code === 0);
    });
  });
}

/** One attempt of `probe`. The timeout is the process's own timing, never scaled. */
export function runProbe(probe: Probe, target: ProbeTarget, portOf: (p: Probe) => number): Promise<boolean> {
  const timeoutMs = probe.timeoutSeconds * 1000;
  if (probe.httpGet) return httpProbe(portOf(probe), probe.httpGet.path, probe.httpGet.httpHeaders ?? [], timeoutMs, probe.httpGet.scheme);
  if (probe.tcpSocket) return tcpProbe(portOf(probe), timeoutMs);
  if (probe.exec) return execProbe(probe.exec.command, target, timeoutMs);
  return Promise.resolve(false);
}

/** Result of a probe after the thresholds; `undefined` until the first change. */
export type ProbeResult = 'success' | 'failure';

/**
 * Runs a probe every `periodSeconds` (times `timeScale`) after `initialDelaySeconds`, and
 * reports each change of the thresholded result, as the kubelet's probe worker does.
 */
export function startProbeWorker(opts: {
  probe: Probe;
  attempt: () => Promise<boolean>;
  timeScale: number;
  signal: AbortSignal;
  onResult: (r: ProbeResult) => void;
  /** Where a new worker begins; the kubelet starts readiness at failure, liveness at success. */
  initial?: ProbeResult;
  /** Skip the initial delay (a re-adopted process has been running for a while). */
  skipInitialDelay?: boolean;
}): void {
  const { probe, signal } = opts;
  let last: ProbeResult | undefined = opts.initial;
  let lastAttempt: boolean | undefined;
  let run = 0;
  let timer: NodeJS.Timeout | undefined;
  signal.addEventListener('abort', () => clearTimeout(timer), { once: true });
  const schedule = (ms: number): void => {
    if (signal.aborted) return;
    timer = setTimeout(() => void tick(), ms);
  };
  const tick = async (): Promise<void> => {
    const ok = await opts.attempt();
    if (signal.aborted) return;
    run = ok === lastAttempt ? run + 1 : 1;
    lastAttempt = ok;
    const result: ProbeResult = ok ? 'success' : 'failure';
    const threshold = ok ? probe.successThreshold : probe.failureThreshold;
    if (run >= threshold && result !== last) {
      last = result;
      opts.onResult(result);
    }
    schedule(probe.periodSeconds * 1000 * opts.timeScale);
  };
  schedule(opts.skipInitialDelay ? 0 : probe.initialDelaySeconds * 1000 * opts.timeScale);
}
