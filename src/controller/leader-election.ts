/**
 * Leader election on a coordination.k8s.io/v1 Lease, as client-go's `tools/leaderelection` does
 * it (Argo's controller uses the same): a candidate takes the Lease when it is free or its holder
 * has not renewed it within `leaseDurationSeconds`, the leader renews it every `retryPeriod`, and
 * a leader that cannot renew within `renewDeadline` stops leading. Writes carry the Lease's
 * resourceVersion, so two candidates can never both win: the second gets 409 Conflict.
 *
 * Defaults are client-go's: lease 15 s, renew deadline 10 s, retry period 2 s. Worked example: the
 * leader is killed right after a renewal at t=0; its Lease expires at t=15 s; the standby, trying
 * every 2 s, takes it at the first try after that, so by t=17 s.
 */
import { isAlreadyExists, isConflict, isNotFound, type KubeClient } from '../adapters/kubernetes/client.js';
import { RESOURCES, type KubeObject } from '../adapters/kubernetes/resources.js';
import { abortableSleep as sleep } from '../adapters/kubernetes/abortable-sleep.js';

export interface LeaderElectionOptions {
  client: KubeClient;
  namespace: string;
  name: string;
  identity: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  onStartedLeading(): void;
  onStoppedLeading(): void;
  onError?(e: unknown): void;
}

interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

/** Kubernetes MicroTime: RFC 3339 with microseconds. */
function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export class LeaderElector {
  private leading = false;
  private stopped = false;
  private lastRenew = 0;
  private readonly stopper = new AbortController();
  private loop: Promise<void> | undefined;

  constructor(private readonly o: LeaderElectionOptions) {}

  get isLeader(): boolean {
    return this.leading;
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Stops trying; a leader gives the Lease up (holder cleared) so a standby takes over at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.stopper.abort();
    await this.loop;
    if (this.leading) {
      this.leading = false;
      await this.release().catch((e: unknown) => this.o.onError?.(e));
    }
  }

  private get leaseMs(): number {
    return this.o.leaseDurationMs ?? 15_000;
  }

  private async run(): Promise<void> {
    const retry = this.o.retryPeriodMs ?? 2_000;
    const deadline = this.o.renewDeadlineMs ?? 10_000;
    while (!this.stopped) {
      let ok = false;
      try {
        ok = await this.tryAcquireOrRenew();
      } catch (e) {
        this.o.onError?.(e);
      }
      const now = Date.now();
      if (ok) {
        this.lastRenew = now;
        if (!this.leading) {
          this.leading = true;
          this.o.onStartedLeading();
        }
      } else if (this.leading && now - this.lastRenew > deadline) {
        this.leading = false;
        this.o.onStoppedLeading();
      }
      await sleep(retry, this.stopper.signal);
    }
  }

  /** True when this candidate holds the Lease after the call. */
  private async tryAcquireOrRenew(): Promise<boolean> {
    const { client, namespace, name, identity } = this.o;
    const now = Date.now();
    let lease: KubeObject & { spec?: LeaseSpec };
    try {
      lease = await client.get(RESOURCES.leases, namespace, name);
    } catch (e) {
      if (!isNotFound(e)) throw e;
      const spec: LeaseSpec = { holderIdentity: identity, leaseDurationSeconds: Math.ceil(this.leaseMs / 1000), acquireTime: microTime(now), renewTime: microTime(now), leaseTransitions: 0 };
      try {
        await client.create(RESOURCES.leases, namespace, { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace }, spec });
        return true;
      } catch (err) {
        if (isAlreadyExists(err)) return false;
        throw err;
      }
    }
    const spec = lease.spec ?? {};
    const holder = spec.holderIdentity ?? '';
    const renewed = Date.parse(spec.renewTime ?? '') || 0;
    const duration = (spec.leaseDurationSeconds ?? this.leaseMs / 1000) * 1000;
    const mine = holder === identity;
    if (!mine && holder && renewed + duration > now) return false;
    const next: LeaseSpec = {
      ...spec,
      holderIdentity: identity,
      leaseDurationSeconds: Math.ceil(this.leaseMs / 1000),
      renewTime: microTime(now),
      ...(mine ? {} : { acquireTime: microTime(now), leaseTransitions: (spec.leaseTransitions ?? 0) + 1 }),
    };
    try {
      await client.update(RESOURCES.leases, namespace, name, { ...lease, spec: next });
      return true;
    } catch (e) {
      if (isConflict(e)) return false;
      throw e;
    }
  }

  private async release(): Promise<void> {
    const { client, namespace, name, identity } = this.o;
    const lease = await client.get<KubeObject & { spec?: LeaseSpec }>(RESOURCES.leases, namespace, name);
    if (lease.spec?.holderIdentity !== identity) return;
    await client.update(RESOURCES.leases, namespace, name, { ...lease, spec: { ...lease.spec, holderIdentity: '', renewTime: microTime(Date.now()) } });
  }
}
