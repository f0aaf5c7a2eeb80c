/**
 * The TrafficRouter of the embedded default: keeps what each rollout asked of the router
 * (weights, header and mirror routes, Service selectors), rebuilds the whole gateway config
 * from the manifests, that routing and the ready pods (src/core/routing decides the shape), and
 * pushes it atomically over the admin API. Pushes are serialised, so configs reach the gateway
 * in version order. It remembers the digest the gateway answered its last push with, so a
 * config someone else wrote (an out-of-band `PUT /config`) is noticed and replaced.
 */
import { applyTrafficEffect, emptyRouting } from '../../../core/routing/apply-effect.js';
import { buildGatewayConfig, type PodEndpoint, type RolloutRouting } from '../../../core/routing/gateway-config.js';
import type { ManifestSet, Rollout } from '../../../core/spec/types.js';
import type { TrafficEffect, TrafficRouter } from '../../../ports/traffic-router.js';
import type { GatewayClient } from './client.js';

export interface GatewayRouterOptions {
  client: GatewayClient;
  /** The manifests in force (they change with `baton apply`). */
  manifests: () => ManifestSet;
  /** The pods that exist now, with their readiness. */
  pods: () => PodEndpoint[];
  /** `job` label on every cluster. */
  job: string;
  /** Routing saved before a restart, so the first push keeps traffic where it was. */
  initial?: RolloutRouting[];
  /** The version to start counting from (the gateway's current one, after a restart). */
  initialVersion?: number;
}

export interface GatewayRouter extends TrafficRouter {
  /** Rebuilds and pushes the config (pods became ready or left, manifests changed). */
  sync(): Promise<void>;
  /** Takes `address` out of every cluster, pushes, and waits until it has no request in flight. */
  drain(address: string, timeoutMs: number): Promise<boolean>;
  /** Forgets a drained address once its process is gone. */
  forget(address: string): void;
  /** What each rollout has asked, for persistence. */
  routing(): RolloutRouting[];
  /**
   * Compares the gateway's config digest with the one the last push was answered with and, when
   * they differ (someone else wrote a config, or a gateway started with another), pushes again.
   * True when it pushed. Serialised with the pushes, so a push in flight is not mistaken for drift.
   */
  restoreIfChanged(): Promise<boolean>;
  /** The version of the last config pushed. */
  readonly version: number;
}

/** The gateway TrafficRouter: keeps each rollout's routing and pushes whole configs, serialised. */
export function createGatewayRouter(opts: GatewayRouterOptions): GatewayRouter {
  const routing = new Map<string, RolloutRouting>((opts.initial ?? []).map((r) => [r.rollout, structuredClone(r)]));
  const draining = new Set<string>();
  let version = opts.initialVersion ?? 0;
  /** The digest the gateway answered the last push with; undefined before the first. */
  let pushed: string | undefined;
  let chain: Promise<unknown> = Promise.resolve();
  let checking: Promise<boolean> | undefined;

  /** Runs `step` after every earlier one; a failed step must not wedge the chain (the caller sees the failure). */
  const serially = <T>(step: () => Promise<T>): Promise<T> => {
    const next = chain.then(step);
    chain = next.catch(() => {});
    return next;
  };

  const pushNow = async (): Promise<void> => {
    version += 1;
    const pods = opts.pods().filter((p) => !draining.has(p.address));
    const config = buildGatewayConfig(opts.manifests(), [...routing.values()], pods, { version, job: opts.job });
    pushed = (await opts.client.putConfig(config)).digest;
  };
  /** Serialised: each push builds from the state at its turn, so the newest state always lands last. */
  const push = (): Promise<void> => serially(pushNow);

  return {
    get version() {
      return version;
    },
    routing: () => [...routing.values()].map((r) => structuredClone(r)),
    sync: push,
    restoreIfChanged() {
      // One check at a time: a periodic caller must not queue checks behind a slow gateway.
      checking ??= serially(async () => {
        const served = await opts.client.health();
        if (pushed === undefined || served.configDigest === pushed) return false;
        // Versions keep rising past whatever was written meanwhile, so the gateway's version series does not go back.
        version = Math.max(version, served.version);
        await pushNow();
        return true;
      }).finally(() => (checking = undefined));
      return checking;
    },
    async drain(address, timeoutMs) {
      draining.add(address);
      await push();
      return opts.client.waitDrained(address, timeoutMs);
    },
    forget(address) {
      draining.delete(address);
    },
    async apply(rollout: Rollout, effect: TrafficEffect) {
      const name = rollout.metadata.name;
      routing.set(name, applyTrafficEffect(routing.get(name) ?? emptyRouting(name), effect));
      await push();
    },
  };
}
