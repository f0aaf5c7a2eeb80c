/**
 * The gateway as its own process (`baton gateway`), started detached by the controller so it
 * keeps serving with its last config while the controller restarts or crashes. A controller
 * that finds a live gateway of an earlier run in `gateway.json` reuses it.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BatonError } from '../core/errors.js';
import { createGatewayClient, type GatewayClient } from '../adapters/traffic/gateway/client.js';
import { isSameProcessAlive, pickFreePort, processStartTime, signalGroup, spawnDetached } from '../adapters/workloads/processes/index.js';
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
  /** True when an earlier run's gateway was found alive and reused. */
  reused: boolean;
}

const BATON_BIN = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..', 'bin', 'baton.js');
/** How long a new gateway may take to answer /healthz (tsx compiles on first start). */
const START_TIMEOUT_MS = 30_000;
const POLL_MS = 50;

/** The gateway of an earlier run when it is alive and answers; else undefined. */
export async function findGateway(dir: StateDir): Promise<RunningGateway | undefined> {
  const info = readJson<GatewayProcessInfo>(dir.gateway);
  if (!info || !isSameProcessAlive(info.pid, info.procStart)) return undefined;
  const client = createGatewayClient(info.admin);
  try {
    await client.health();
    return { info, client, reused: true };
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
  const child = spawnDetached(
    [process.execPath, BATON_BIN, 'gateway', '--listen', listen, '--admin', admin, '--state-dir', dir.gatewayState],
    process.cwd(),
    {},
    join(dir.logs, 'gateway.log'),
  );
  const pid = child.pid ?? 0;
  let exited = null as number | null;
  child.once('exit', (code) => (exited = code ?? 1));
  const info: GatewayProcessInfo = { pid, procStart: processStartTime(pid), listen, admin: `http://${admin}` };
  const client = createGatewayClient(info.admin);
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
  return { info, client, reused: false };
}

/** SIGTERM to the gateway (it drains in-flight requests), then waits for it to exit (SIGKILL after `timeoutMs`). */
export async function stopGateway(dir: StateDir, timeoutMs = 15_000): Promise<boolean> {
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
