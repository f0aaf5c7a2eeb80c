/**
 * `baton up` and `baton down`: start the controller in this process (foreground, or a detached
 * copy of itself with `--detach`), and stop it through its API, or clean up what a dead one
 * left running.
 */
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, openSync, readFileSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BatonError, InvalidInputError } from '../core/errors.js';
import type { ManifestFile } from '../core/spec/load.js';
import { describeEvent, type EngineEvent } from '../engine/events.js';
import { parseListenAddress } from '../gateway/server.js';
import { createProcessSupervisor } from '../adapters/workloads/processes/index.js';
import { createApiHandler } from '../api/handler.js';
import type { EventsPage, WorkloadSummary } from '../api/types.js';
import { startFetchServer } from '../adapters/http/fetch-server.js';
import type { ScrapeJobConfig } from '../metrics-server/index.js';
import { ControlPlane } from './control-plane.js';
import { DATABASE_PASSWORD_FILE, withoutPassword } from './embedded-databases.js';
import { stopGateway } from './gateway-process.js';
import { ensureStateDir, ensureToken, isAlive, readJson, readToken, writeJsonAtomic, type ControllerInfo, type StateDir } from './state-dir.js';

export interface UpOptions {
  dir: StateDir;
  files?: ManifestFile[];
  /** `--apply-files`: apply `files` over the set in force (else a set in force that differs from them runs unchanged). */
  applyFiles?: boolean;
  listen: string;
  api: string;
  timeScale: number;
  metricsJob?: string;
  scrapeIntervalMs?: number;
  prometheusUrl?: string;
  extraScrapeJobs?: ScrapeJobConfig[];
  /** Print progress (foreground) to this stream. */
  out: NodeJS.WritableStream;
}

const BATON_BIN = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..', 'bin', 'baton.js');

function clock(at: number): string {
  return new Date(at).toISOString().slice(11, 19);
}

export const DEFAULT_LISTEN = '127.0.0.1:8080';
export const DEFAULT_API = '127.0.0.1:7070';
/** How long `baton down` waits for the controller to stop by default (`--timeout`). */
export const DOWN_TIMEOUT_MS = 120_000;

/**
 * The addresses of the last run in this state dir (the gateway's record, the controller's),
 * so that `baton up` after a crash or a `baton down --keep-services` serves where users and
 * tools already point without repeating --listen and --api.
 */
export function lastAddresses(dir: StateDir): { listen?: string; api?: string } {
  const gateway = readJson<{ listen?: unknown }>(dir.gateway);
  const controller = readJson<{ api?: unknown }>(dir.controller);
  let api: string | undefined;
  if (typeof controller?.api === 'string') {
    try {
      api = new URL(controller.api).host;
    } catch {
      // A damaged record: the default applies.
    }
  }
  return { ...(typeof gateway?.listen === 'string' ? { listen: gateway.listen } : {}), ...(api ? { api } : {}) };
}

/** Runs the controller until `baton down`, SIGTERM or SIGINT; resolves with the exit code. */
export async function runUp(opts: UpOptions): Promise<number> {
  const apiAddr = parseListenAddress(opts.api, '--api');
  ensureStateDir(opts.dir);
  // Say so before the listeners collide: a controller already serving this state dir.
  const running = readJson<ControllerInfo>(opts.dir.controller);
  if (running && running.pid !== process.pid && isAlive(running.pid)) {
    throw new BatonError('state-dir-locked', `another controller (pid ${running.pid}) is running on ${opts.dir.root} at ${running.api}; stop it with \`baton down\` or use another --state-dir`, { pid: running.pid });
  }
  if (parseListenAddress(opts.listen, '--listen').port === 0) {
    throw new InvalidInputError('invalid-address', `--listen ${opts.listen}: give the gateway a fixed port (users and a restarted controller must find it), e.g. 127.0.0.1:8080`);
  }
  let plane: ControlPlane | undefined;
  let stopRequested: ((keep: boolean) => void) | undefined;
  const stopped = new Promise<boolean>((resolve) => (stopRequested = resolve));
  // A reader that went away (`baton up | head`) stops everything as Ctrl-C does: nothing may
  // be left running behind a controller that can no longer say what it does.
  let outClosed = false;
  const onOutError = (e: NodeJS.ErrnoException): void => {
    if (outClosed) return;
    outClosed = true;
    if (e.code !== 'EPIPE') process.stderr.write(`baton up: stdout failed (${e.code ?? e.message}); stopping\n`);
    stopRequested?.(false);
  };
  opts.out.on('error', onOutError);
  const say = (text: string): void => {
    if (!outClosed) opts.out.write(text);
  };
  const handler = createApiHandler(
    {
      status: () => ready().status(),
      list: () => ready().list(),
      detail: (n) => ready().detail(n),
      history: (n) => ready().history(n),
      act: (n, r, a) => ready().act(n, r, a),
      apply: (r, a) => ready().apply(r, a),
      waitEvents: (q, w) => ready().waitEvents(q, w),
      logs: (q) => ready().logs(q),
      audit: (q) => ready().audit(q),
      runtimeMetrics: () => (plane ? plane.runtimeMetrics() : ''),
      prometheus: (req) => (plane ? plane.metrics.handle(req) : Promise.resolve(new Response('starting', { status: 503 }))),
      requestShutdown: (r) => stopRequested?.(r.keepServices === true),
    },
    ensureToken(opts.dir),
  );
  function ready(): ControlPlane {
    if (!plane) throw new BatonError('starting', 'the controller is starting; try again in a moment');
    return plane;
  }
  const server = await startFetchServer(apiAddr.host, apiAddr.port, (req) => handler(req)).catch((e: unknown) => {
    throw inUse(e, '--api', opts.api);
  });
  try {
    plane = await ControlPlane.start({
      dir: opts.dir,
      ...(opts.files ? { files: opts.files } : {}),
      ...(opts.applyFiles ? { applyFiles: true } : {}),
      listen: opts.listen,
      apiUrl: () => server.url,
      timeScale: opts.timeScale,
      ...(opts.metricsJob ? { metricsJob: opts.metricsJob } : {}),
      ...(opts.scrapeIntervalMs ? { scrapeIntervalMs: opts.scrapeIntervalMs } : {}),
      ...(opts.prometheusUrl ? { prometheusUrl: opts.prometheusUrl } : {}),
      ...(opts.extraScrapeJobs ? { extraScrapeJobs: opts.extraScrapeJobs } : {}),
      actor: 'up',
      onEvent: (e: EngineEvent) => say(`${clock(Date.now())} ${e.rollout} ${e.type} ${describeEvent(e)}\n`),
      log: (line) => say(`${clock(Date.now())} baton: ${line}\n`),
    });
  } catch (e) {
    await server.close();
    throw inUse(e, '--listen', opts.listen);
  }
  const status = plane.status();
  const notice = [...exposureWarnings(opts.listen, opts.api), ...plane.startNotice];
  const info: ControllerInfo = { pid: process.pid, api: server.url, gateway: status.gateway, startedAt: plane.startedAt, ...(notice.length ? { notice } : {}) };
  writeJsonAtomic(opts.dir.controller, info);
  say(
    [
      `baton up: controller pid ${process.pid}, state ${opts.dir.root}`,
      `  gateway     ${status.gateway}`,
      `  control API ${server.url} (token in ${opts.dir.token})`,
      `  prometheus  ${status.prometheus}`,
      ...status.databases.filter((d) => d.servedUrl).map((d) => `  database    ${withoutPassword(d.servedUrl ?? '')} (${d.url}, SchemaMigration ${d.schemaMigration}; password in ${join(opts.dir.root, DATABASE_PASSWORD_FILE)}${d.env ? `; processes get the URL with it as ${d.env}` : ''})`),
      ...(opts.timeScale !== 1 ? [`  time scale  ${opts.timeScale} (pauses, intervals and delays take ${opts.timeScale}x their written time)`] : []),
      `  workloads   ${plane.list().map((w) => `${w.kind.toLowerCase()}/${w.name}`).join(', ') || 'none'}`,
      nextStepLine(opts.dir),
      ...notice.map((l) => `baton up: ${l}`),
      '',
    ].join('\n'),
  );
  const onSignal = (): void => stopRequested?.(false);
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  const keep = await stopped;
  process.off('SIGTERM', onSignal);
  process.off('SIGINT', onSignal);
  say(`baton up: stopping${keep ? ' (services and gateway keep running)' : ': draining and stopping every process'}\n`);
  await plane.shutdown({ keepServices: keep });
  rmSync(opts.dir.controller, { force: true });
  await server.close();
  say('baton up: stopped\n');
  opts.out.off('error', onOutError);
  return 0;
}

/**
 * The line that tells where the next verbs find this controller: from the directory holding a
 * `.baton` (and below) they find it by themselves (src/cli/state-lookup.ts); from anywhere else
 * after the `export` printed.
 */
export function nextStepLine(dir: StateDir): string {
  const exported = `export BATON_STATE_DIR=${shellQuote(dir.root)}`;
  return basename(dir.root) === '.baton' ? `  next        verbs run in ${dirname(dir.root)} or below find it; elsewhere first: ${exported}` : `  next        ${exported}   (then \`baton list\`, \`baton get NAME\`)`;
}

/** A path as a POSIX shell word: as it is when it is plain, else in single quotes. */
function shellQuote(path: string): string {
  return /^[\w./@%+=:,-]+$/.test(path) ? path : `'${path.replace(/'/g, `'\\''`)}'`;
}

/** An address in use, said with the flag that chooses it; any other error as it is. */
function inUse(e: unknown, flag: '--api' | '--listen', address: string): unknown {
  const code = e instanceof BatonError ? e.code : (e as NodeJS.ErrnoException | undefined)?.code;
  if (code !== 'EADDRINUSE' && code !== 'address-in-use') return e;
  const what = flag === '--api' ? 'the control API' : 'the gateway';
  return new BatonError('address-in-use', `${flag} ${address}: the address is in use by another process; choose another for ${what} with ${flag} HOST:PORT`, { address, flag });
}

/** Whether a listen address only this machine can reach: a loopback IP, or `localhost`. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

/**
 * A warning for each listener bound beyond loopback, saying what it exposes and to whom: the
 * control API (every verb, with the token; the embedded Prometheus with it) and the gateway
 * (the services, to anyone).
 */
export function exposureWarnings(listen: string, api: string): string[] {
  const out: string[] = [];
  const apiHost = parseListenAddress(api, '--api').host;
  const listenHost = parseListenAddress(listen, '--listen').host;
  if (!isLoopback(apiHost)) {
    out.push(
      `warning: --api ${api} is reachable from other machines on every network ${apiHost} covers: the control API (apply, set image, abort, down, logs, events; the embedded Prometheus under /prometheus) answers anyone who has the token in api.token, over plain HTTP (the token can be read on the way); /healthz and /runtime/metrics answer without it`,
    );
  }
  if (!isLoopback(listenHost)) {
    out.push(`warning: --listen ${listen} is reachable from other machines on every network ${listenHost} covers: the gateway serves your services to anyone who can connect`);
  }
  return out;
}

/** `--detach`: starts `baton up` (these args without --detach) as a detached process and waits until it serves. */
export async function runUpDetached(dir: StateDir, args: string[], out: NodeJS.WritableStream): Promise<number> {
  const logFile = join(dir.logs, 'controller.log');
  ensureStateDir(dir);
  const fd = openSync(logFile, 'a', 0o600);
  chmodSync(logFile, 0o600);
  const child = spawn(process.execPath, [BATON_BIN, 'up', ...args.filter((a) => a !== '--detach')], { detached: true, stdio: ['ignore', fd, fd], env: process.env });
  child.unref();
  let exited = null as number | null;
  child.once('exit', (code) => (exited = code ?? 1));
  const deadline = Date.now() + 120_000;
  const info = await (async (): Promise<ControllerInfo> => {
    for (;;) {
      const i = readJson<ControllerInfo>(dir.controller);
      if (i && i.pid === child.pid && (await answersHealthz(i.api))) return i;
      if (exited !== null) {
        const tail = readFileSync(logFile, 'utf8').split('\n').slice(-15).join('\n');
        throw new BatonError('up-failed', `the controller exited (code ${exited}) before serving; the end of ${logFile}:\n${tail}`);
      }
      if (Date.now() > deadline) throw new BatonError('up-failed', `the controller did not serve within 120 s; see ${logFile}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  child.removeAllListeners('exit');
  out.write(`baton up: controller pid ${info.pid} running in the background\n  gateway     ${info.gateway}\n  control API ${info.api}\n  log         ${logFile}\n${nextStepLine(dir)}\n`);
  for (const l of info.notice ?? []) out.write(`baton up: ${l}\n`);
  const settled = await waitSettled(dir, info, Math.max(0, deadline - Date.now()));
  for (const w of settled) out.write(`  ${`${w.kind.toLowerCase()}/${w.name}`.padEnd(40)} ${w.phase}${w.message ? `: ${w.message}` : ''}\n`);
  return 0;
}

async function answersHealthz(api: string): Promise<boolean> {
  try {
    return (await fetch(`${api}/healthz`)).ok;
  } catch {
    return false; // not serving yet
  }
}

/**
 * Waits until no workload is Progressing any more (each Healthy, Paused or Degraded), so that a
 * detached `baton up` returns with the services serving; returns the last list either way.
 */
async function waitSettled(dir: StateDir, info: ControllerInfo, timeoutMs: number): Promise<WorkloadSummary[]> {
  const token = readToken(dir);
  const get = async <T>(path: string): Promise<T> => {
    const r = await fetch(`${info.api}${path}`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
    // A refused token or a failing controller is said as such, not read as a workload list.
    if (!r.ok) throw new BatonError('up-failed', `the controller serves, but GET ${path} answered ${r.status}: ${(await r.text()).slice(0, 200)}`, { status: r.status });
    return (await r.json()) as T;
  };
  const deadline = Date.now() + timeoutMs;
  let afterId = 0;
  for (;;) {
    const list = await get<WorkloadSummary[]>('/api/v1/workloads');
    if (list.every((w) => w.phase !== 'Progressing') || Date.now() >= deadline) return list;
    afterId = (await get<EventsPage>(`/api/v1/events?afterId=${afterId}&waitMs=${Math.min(5_000, Math.max(0, deadline - Date.now()))}&limit=1000`)).lastId;
  }
}

/**
 * `baton down`: asks the running controller to stop and waits until it has. With no controller
 * running (it was killed), stops what it left: the processes (re-adopted from their records)
 * and the gateway, unless `keepServices`.
 */
export async function runDown(dir: StateDir, keepServices: boolean, out: NodeJS.WritableStream, timeoutMs = DOWN_TIMEOUT_MS): Promise<number> {
  const info = readJson<ControllerInfo>(dir.controller);
  if (info && isAlive(info.pid)) {
    const token = readToken(dir);
    const deadline = Date.now() + timeoutMs;
    const late = (): BatonError =>
      new BatonError('down-timeout', `the controller (pid ${info.pid}) has not stopped within ${Math.round(timeoutMs / 1000)} s (--timeout); it may still be draining: see ${join(dir.logs, 'controller.log')}, wait, or stop it with kill ${info.pid}`, { pid: info.pid });
    const r = await fetch(`${info.api}/api/v1/shutdown`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ keepServices }),
      signal: AbortSignal.timeout(timeoutMs),
    }).catch((e: unknown) => {
      if (e instanceof Error && e.name === 'TimeoutError') throw late();
      throw new BatonError('controller-unreachable', `the controller (pid ${info.pid}) at ${info.api} does not answer: ${e instanceof Error ? e.message : String(e)}; stop it with kill ${info.pid}`);
    });
    if (!r.ok) throw new BatonError('down-refused', `the controller refused to stop: ${await r.text()}`);
    out.write(`baton down: stopping controller pid ${info.pid}${keepServices ? ' (services keep running)' : ''}\n`);
    while (isAlive(info.pid)) {
      if (Date.now() >= deadline) throw late();
      await new Promise((res) => setTimeout(res, 100));
    }
    out.write('baton down: stopped\n');
    return 0;
  }
  if (keepServices || !existsSync(dir.root)) {
    out.write(`baton down: no controller is running on ${dir.root}; nothing to do\n`);
    return 0;
  }
  // A controller that died left its processes and gateway: stop them. The gateway first, so no
  // request is sent to a process being stopped.
  const gateway = await stopGateway(dir);
  const supervisor = createProcessSupervisor({ stateDir: dir.root, logDir: dir.logs });
  const n = supervisor.pods().length;
  await supervisor.shutdown();
  rmSync(dir.controller, { force: true });
  out.write(`baton down: no controller was running; stopped ${n} process(es)${gateway ? ' and the gateway' : ''}\n`);
  return 0;
}
