/**
 * The gateway as its own process (`baton gateway`), started detached by the controller so it
 * keeps serving with its last config while the controller restarts or crashes. A controller
 * that finds a live gateway of an earlier run in `gateway.json` reuses it.
 *
 * The controller binds the proxy's listening socket itself and hands it to every gateway it
 * starts (listen-socket.ts), so a gateway that dies leaves new connections queued, not refused,
 * until the next one accepts them. The admin API's token is the controller's, kept in
 * `<state-dir>/gateway/admin.token` (0600), which the gateway reads through its `--state-dir`.
 */
import { existsSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { BatonError } from '../core/errors.js';
import { createGatewayClient, type GatewayClient } from '../adapters/traffic/gateway/client.js';
import { isSameProcessAlive, pickFreePort, processStartTime, signalGroup, spawnDetached } from '../adapters/workloads/processes/index.js';
import { parseListenAddress } from '../gateway/server.js';
import { adminTokenPath, ensureAdminToken, ensurePrivateDir } from '../gateway/state/admin-token.js';
import { bindListenSocket, type HeldListenSocket } from './listen-socket.js';
import { readJson, writeJsonAtomic, type StateDir } from './state-dir.js';

/** What `gateway.json` holds. */
export interface GatewayProcessInfo {
  pid: number;
  procStart: string | null;
  /** The proxy listener as asked, `HOST:PORT`. */
  listen: string;
  /** Admin API base URL. */
  admin: string;
}

export interface RunningGateway {
  info: GatewayProcessInfo;
  client: GatewayClient;
  /** The admin API's bearer token (also the embedded Prometheus' scrape credential). */
  token: string;
  /** True when an earlier run's gateway was found alive and reused. */
  reused: boolean;
}

const ROOT = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..');

/**
 * How to run `baton gateway` without the rest of the CLI (src/gateway/main.ts, same options and
 * exit codes): built when there is a build, else through tsx, as bin/baton.js chooses. Loading
 * only the gateway starts it in about a third of the time (0.9 s against 2.5 s from sources on
 * a busy 2-core machine), and while a dead gateway is replaced every second of its start is a
 * second the queued connections wait.
 */
function gatewayEntry(): string[] {
  const built = join(ROOT, 'dist', 'gateway', 'main.js');
  if (existsSync(built) && !process.env.BATON_FROM_SOURCE) return [built];
  // Resolved here: `--import tsx` would be looked up from the working directory, the user's.
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  return ['--import', tsx, join(ROOT, 'src', 'gateway', 'main.ts')];
}
/** How long a new gateway may take to answer /healthz (tsx compiles on first start). */
const START_TIMEOUT_MS = 30_000;
const POLL_MS = 50;

/**
 * The listening socket this controller holds for its gateway, by state dir. A controller that
 * re-adopted a running gateway of an earlier run holds none until it starts a gateway itself:
 * the adopted one owns its socket, which the next start binds afresh.
 */
const held = new Map<string, { listen: string; socket: HeldListenSocket }>();

/** Binds (or keeps) the socket for `listen`; undefined when this Node cannot hold one. */
async function holdListenSocket(dir: StateDir, listen: string): Promise<HeldListenSocket | undefined> {
  const mine = held.get(dir.root);
  if (mine?.listen === listen) return mine.socket;
  releaseListenSocket(dir);
  const addr = parseListenAddress(listen, '--listen');
  let socket: HeldListenSocket | undefined;
  try {
    socket = await bindListenSocket(addr.host, addr.port);
  } catch (e) {
    throw new BatonError('gateway-failed', `cannot start the gateway on ${listen}: ${e instanceof Error ? e.message : String(e)}`, { listen });
  }
  if (socket) held.set(dir.root, { listen, socket });
  return socket;
}

function releaseListenSocket(dir: StateDir): void {
  held.get(dir.root)?.socket.close();
  held.delete(dir.root);
}

/** The gateway admin token of this state dir, created (0600, in a 0700 directory) on first use. */
export async function gatewayAdminToken(dir: StateDir): Promise<string> {
  await ensurePrivateDir(dir.gatewayState);
  return ensureAdminToken(adminTokenPath(dir.gatewayState));
}

/** The gateway of an earlier run when it is alive and answers; else undefined. */
export async function findGateway(dir: StateDir): Promise<RunningGateway | undefined> {
  const info = readJson<GatewayProcessInfo>(dir.gateway);
  if (!info || !isSameProcessAlive(info.pid, info.procStart)) return undefined;
  const token = await gatewayAdminToken(dir);
  const client = createGatewayClient(info.admin, token);
  try {
    await client.health();
    return { info, client, token, reused: true };
  } catch {
    return undefined;
  }
}

/**
 * Reuses the running gateway when it listens where asked, else starts one and waits until it
 * answers. `admin` (`HOST:PORT`) keeps the admin address of a gateway being replaced, so the
 * clients and scrapers pointing at it keep working.
 */
export async function ensureGateway(dir: StateDir, listen: string, admin?: string): Promise<RunningGateway> {
  const found = await findGateway(dir);
  if (found && found.info.listen === listen) return found;
  if (found) await stopGateway(dir);
  admin ??= `127.0.0.1:${await pickFreePort()}`;
  const token = await gatewayAdminToken(dir);
  const socket = await holdListenSocket(dir, listen);
  const child = spawnDetached(
    [process.execPath, ...gatewayEntry(), '--listen', listen, '--admin', admin, '--state-dir', dir.gatewayState, ...(socket ? ['--listen-fd', '3'] : [])],
    process.cwd(),
    {},
    join(dir.logs, 'gateway.log'),
    socket ? [socket.fd] : [],
  );
  const pid = child.pid ?? 0;
  let exited = null as number | null;
  child.once('exit', (code) => (exited = code ?? 1));
  const info: GatewayProcessInfo = { pid, procStart: processStartTime(pid), listen, admin: `http://${admin}` };
  const client = createGatewayClient(info.admin, token);
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (exited !== null) {
      throw new BatonError('gateway-failed', `the gateway exited (code ${exited}) before answering; see ${join(dir.logs, 'gateway.log')} (is ${listen} in use?)`, { listen });
    }
    try {
      await client.health();
      break;
    } catch {
      if (Date.now() > deadline) {
        signalGroup(pid, 'SIGKILL');
        throw new BatonError('gateway-failed', `the gateway did not answer within ${START_TIMEOUT_MS / 1000} s; see ${join(dir.logs, 'gateway.log')}`, { listen });
      }
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }
  child.removeAllListeners('exit');
  writeJsonAtomic(dir.gateway, info);
  return { info, client, token, reused: false };
}

/**
 * SIGTERM to the gateway (it drains in-flight requests), then waits for it to exit (SIGKILL after
 * `timeoutMs`). The held listening socket is closed first, so that once the gateway closes its
 * copy new connections are refused rather than queued for a gateway that will not come.
 */
export async function stopGateway(dir: StateDir, timeoutMs = 15_000): Promise<boolean> {
  releaseListenSocket(dir);
  const info = readJson<GatewayProcessInfo>(dir.gateway);
  if (!info || !isSameProcessAlive(info.pid, info.procStart)) {
    rmSync(dir.gateway, { force: true });
    return false;
  }
  signalGroup(info.pid, 'SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (isSameProcessAlive(info.pid, info.procStart)) {
    if (Date.now() > deadline) {
      signalGroup(info.pid, 'SIGKILL');
      break;
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  rmSync(dir.gateway, { force: true });
  return true;
}
