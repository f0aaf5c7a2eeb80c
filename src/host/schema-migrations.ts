/**
 * SchemaMigrations (baton.dev/v1alpha1) carried out with the rollouts they belong to: pending
 * expands before a new revision's first process, contracts after promotion, the bake time and
 * the last process of an older revision (docs/migrations.md, "With baton up").
 *
 * The rules are the core's (`decideExpand`, `decideContract`); the runner applies them under the
 * PostgreSQL advisory lock. This file only decides when to call it: it remembers which revision
 * went out with the expands, when it was promoted and whether it was aborted
 * (schema-migration-tracker.ts), runs one migration step at a time, and reports each as an event.
 */
import { readStatus, runContract, runExpand, type MigrateOptions, type RunnerEvent } from '../adapters/migrate/index.js';
import { BatonError } from '../core/errors.js';
import { pendingContracts } from '../core/migrate/index.js';
import type { SchemaMigration } from '../core/migrate/manifest.js';
import type { Clock } from '../ports/clock.js';
import type { ManifestSet, Rollout } from '../core/spec/types.js';
import type { EngineEvent } from '../engine/events.js';
import { isTagOf, revisionTag, runnerOptionsFor, schemaMigrationName, schemaMigrationsFor } from './schema-migration-bindings.js';
import { createEmbeddedDatabases, type SessionPool } from './embedded-databases.js';
import { watchStableHealth } from './schema-migration-health.js';
import { RolloutTracker, type AbortedRevisionStore, type ArmedRevision, type ContractCandidate, type PodView, type RolloutView } from './schema-migration-tracker.js';

export { gatewayStableErrorRate } from './schema-migration-health.js';
export type { PodView, RolloutView } from './schema-migration-tracker.js';

export interface SchemaMigrationOptions {
  /** The manifests in force (SchemaMigrations are in `extensions`). */
  manifests: () => ManifestSet;
  /** The engine clock (bake time is measured on it, so `--time-scale` shortens it). */
  clock: Clock;
  /** Reports an event (stored and shown like the engine's). */
  recordEvent: (e: EngineEvent) => void;
  log: (line: string) => void;
  /**
   * The stable revision's error rate (0..1) now, undefined when unknown (no stable, no traffic).
   * Watched while an expand runs; without it the expand runs unwatched.
   */
  stableErrorRate?: (rollout: string) => Promise<number | undefined>;
  /** Engine-clock ms between two error-rate readings during an expand; default 2000. */
  healthIntervalMs?: number;
  /** How far the stable error rate may rise over its reading before the expand; default 0.05. */
  maxErrorRateIncrease?: number;
  /** Wall-clock bound on one error-rate reading (a slower one counts as unknown); default 5000. */
  healthReadTimeoutMs?: number;
  /** Engine-clock ms before a failed contract is tried again; default 60000. */
  contractRetryMs?: number;
  /** Attempts at one revision's contracts before leaving them to a person; default 3. */
  contractAttempts?: number;
  /** Wall-clock bound on close() waiting for a step in progress; default 30000. */
  closeTimeoutMs?: number;
  /** Where database URLs in env vars come from; default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Keeps which revisions were aborted across restarts; default: memory only. */
  abortedRevisions?: AbortedRevisionStore;
  /**
   * Sessions for embedded databases (`baton up` passes the served ones and closes them itself);
   * default: opened in process, closed by close().
   */
  databases?: SessionPool;
}

/** What the controller calls. */
export interface SchemaMigrationCoordinator {
  /** Before the first process of a new revision of `rollout`: pending expands. A rejection aborts the rollout. */
  prepareRevision(rollout: Rollout, revision: { hash: string; revision: number }): Promise<void>;
  /** After every engine tick: starts the contracts that became due. Never blocks the tick. */
  afterTick(view: { rollouts: readonly RolloutView[]; pods: readonly PodView[] }): void;
  /** Waits for a migration step in progress, then stops. */
  close(): Promise<void>;
  /** Resolves once no migration step is queued or running (tests; `baton down` uses close). */
  idle(): Promise<void>;
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Contract attempts for one SchemaMigration and armed revision. */
interface ContractState {
  done: boolean;
  failures: number;
  retryAtMs?: number;
  /** The last wait reason logged, so a waiting contract is logged once per reason. */
  waiting?: string;
}

/**
 * The coordinator `baton up` runs. Every database step (expand, contract, audit lookup) goes
 * through one queue, so two never share a session or race for the advisory lock in one process;
 * another controller is kept out by the advisory lock itself.
 */
export function createSchemaMigrationCoordinator(opts: SchemaMigrationOptions): SchemaMigrationCoordinator {
  const pool = opts.databases ?? createEmbeddedDatabases({ serve: false, ...(opts.env ? { env: opts.env } : {}) });
  const tracker = new RolloutTracker(opts.abortedRevisions);
  const contracts = new Map<string, ContractState>();
  /** The last view of each rollout, for the stable hash at prepare time. */
  const lastViews = new Map<string, RolloutView>();
  /** Rollouts whose contract (or audit lookup) is queued or running: at most one each. */
  const contractBusy = new Set<string>();
  let queue: Promise<unknown> = Promise.resolve();
  let inFlight = 0;
  let closed = false;
  const record = (rollout: string, type: string, fields: Record<string, unknown>): void => {
    opts.recordEvent({ at: opts.clock.now(), rollout, type, ...fields });
  };
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    inFlight++;
    const p = queue.then(fn).finally(() => inFlight--);
    queue = p.catch(() => undefined);
    return p;
  };

  /** Runner events as controller events: the start and end of each phase, lock waits in the log. */
  const runnerEvents = (rollout: string, m: SchemaMigration, revision: number) => (e: RunnerEvent): void => {
    const schemaMigration = schemaMigrationName(m);
    switch (e.type) {
      case 'phase-start':
        if (e.phase === 'expand') record(rollout, 'SchemaExpandStarted', { schemaMigration, migration: e.name, phase: e.phase, revision });
        else if (e.phase === 'contract') record(rollout, 'SchemaContractStarted', { schemaMigration, migration: e.name, phase: e.phase, revision });
        break;
      case 'phase-done':
        record(rollout, e.phase === 'contract' ? 'SchemaContracted' : e.phase === 'backfill' ? 'SchemaBackfilled' : 'SchemaExpanded', { schemaMigration, migration: e.name, phase: e.phase, revision });
        break;
      case 'lock-wait':
        opts.log(`${schemaMigration}: waiting for another controller to release the migration lock`);
        break;
      case 'lock-timeout':
        opts.log(`${schemaMigration}: ${e.name} ${e.phase} line ${e.line} hit lock_timeout (attempt ${e.attempt}); retrying in ${e.retryInMs} ms`);
        break;
      case 'problem':
        opts.log(`${schemaMigration}: ${e.message}`);
        break;
      case 'statement-done':
      case 'backfill-batch':
        break;
      default: {
        const never: never = e;
        void never;
      }
    }
  };

  async function expandOne(rollout: Rollout, m: SchemaMigration, revision: { hash: string; revision: number }, hasStable: boolean): Promise<void> {
    const name = rollout.metadata.name;
    const schemaMigration = schemaMigrationName(m);
    let phase = 'expand';
    let current: string | undefined;
    const onEvent = runnerEvents(name, m, revision.revision);
    const stableErrorRate = opts.stableErrorRate;
    const watch = hasStable && stableErrorRate
      ? await watchStableHealth({
          clock: opts.clock,
          read: () => stableErrorRate(name),
          intervalMs: opts.healthIntervalMs ?? 2_000,
          maxIncrease: opts.maxErrorRateIncrease ?? 0.05,
          ...(opts.healthReadTimeoutMs !== undefined ? { readTimeoutMs: opts.healthReadTimeoutMs } : {}),
          log: opts.log,
        })
      : undefined;
    try {
      const runner: MigrateOptions = await runnerOptionsFor(m, pool, opts.env);
      const out = await runExpand({
        ...runner,
        revision: revisionTag(name, revision),
        onEvent: (e) => {
          if (e.type === 'phase-start') [phase, current] = [e.phase, e.name];
          onEvent(e);
        },
        ...(watch ? { signal: watch.signal, shouldContinue: () => !watch.signal.aborted } : {}),
      });
      if (out.outcome === 'stopped') {
        const why = watch?.reason();
        const where = current ? ` at ${current} ${phase}` : '';
        throw new BatonError('schema-expand-stopped', `${schemaMigration}: ${why ? `${why}; ` : ''}the expand was stopped${where}`, { schemaMigration, ...(current ? { migration: current } : {}) });
      }
    } catch (e) {
      record(name, 'SchemaMigrationFailed', { schemaMigration, ...(current ? { migration: current } : {}), phase, revision: revision.revision, message: messageOf(e) });
      throw e;
    } finally {
      await watch?.stop();
    }
  }

  async function prepare(rollout: Rollout, revision: { hash: string; revision: number }): Promise<void> {
    const name = rollout.metadata.name;
    const bound = schemaMigrationsFor(opts.manifests(), name);
    if (bound.length === 0) return;
    const view = lastViews.get(name);
    const stable = view?.rolloutState.stableHash;
    for (const m of bound) await expandOne(rollout, m, revision, stable !== undefined && stable !== revision.hash);
    const armed: ArmedRevision = { ...revision, source: 'prepared' };
    if (!tracker.arm(name, armed, stable)) {
      opts.log(`${name}: revision ${revision.revision} ran before these migrations were expanded; their contracts wait for a newer revision`);
    }
  }

  /** After a restart: the stable revision went out with expands this process did not run? */
  async function recover(c: Extract<ContractCandidate, { kind: 'unknown' }>, bound: SchemaMigration[]): Promise<void> {
    for (const m of bound) {
      const runner = await runnerOptionsFor(m, pool, opts.env);
      const { records } = await readStatus(runner);
      if (records.some((r) => r.phase === 'expand' && r.status === 'done' && isTagOf(r.revision, c.rollout, c.stableHash))) {
        tracker.arm(c.rollout, { hash: c.stableHash, revision: c.stableRevision, source: 'recovered' });
        opts.log(`${c.rollout}: revision ${c.stableRevision} went out with expands of ${schemaMigrationName(m)}; its contracts follow the usual rules`);
        return;
      }
    }
  }

  async function contractOne(c: Extract<ContractCandidate, { kind: 'promoted' }>, m: SchemaMigration, state: ContractState): Promise<void> {
    const schemaMigration = schemaMigrationName(m);
    try {
      const runner = await runnerOptionsFor(m, pool, opts.env);
      const guard = { aborted: tracker.isAborted(c.rollout, c.armed.hash), promotedAtMs: c.promotedAtMs, nowMs: opts.clock.now(), bakeTimeMs: m.spec.bakeTimeMs, olderRevisionProcesses: c.olderRevisionProcesses };
      const out = await runContract({ ...runner, guard, revision: revisionTag(c.rollout, c.armed), onEvent: runnerEvents(c.rollout, m, c.armed.revision) });
      if (out.outcome === 'done') {
        state.done = true;
        if (out.applied.length === 0) opts.log(`${c.rollout}: ${schemaMigration} has no contract pending`);
      }
    } catch (e) {
      state.failures++;
      const attempts = opts.contractAttempts ?? 3;
      const gaveUp = state.failures >= attempts;
      if (gaveUp) state.done = true;
      else state.retryAtMs = opts.clock.now() + (opts.contractRetryMs ?? 60_000);
      record(c.rollout, 'SchemaMigrationFailed', {
        schemaMigration, phase: 'contract', revision: c.armed.revision, message: messageOf(e),
        ...(gaveUp ? { next: `gave up after ${attempts} attempts: run baton migrate contract by hand once fixed` } : { next: 'retried later' }),
      });
    }
  }

  function consider(c: ContractCandidate, bound: SchemaMigration[]): void {
    switch (c.kind) {
      case 'aborted':
        // Reported only where a contract is actually left pending, so a release without
        // migrations that is aborted says nothing about schemas.
        contractBusy.add(c.rollout);
        void serial(async () => {
          for (const m of bound) {
            const { plan } = await readStatus(await runnerOptionsFor(m, pool, opts.env));
            const pending = pendingContracts(plan);
            if (pending.length === 0) continue;
            record(c.rollout, 'SchemaContractSkipped', {
              schemaMigration: schemaMigrationName(m), phase: 'contract', revision: c.armed.revision, migrations: pending,
              reason: 'the rollout was aborted: the stable revision still uses the old schema, so the contract never runs',
            });
          }
        })
          .catch((e: unknown) => opts.log(`${c.rollout}: could not read the migration audit table: ${messageOf(e)}`))
          .finally(() => {
            tracker.markAbortReported(c.rollout, c.armed.hash);
            contractBusy.delete(c.rollout);
          });
        return;
      case 'unknown':
        contractBusy.add(c.rollout);
        void serial(() => recover(c, bound))
          .then(() => tracker.markRecoveryChecked(c.rollout, c.stableHash))
          .catch((e: unknown) => opts.log(`${c.rollout}: could not read the migration audit table: ${messageOf(e)}`))
          .finally(() => contractBusy.delete(c.rollout));
        return;
      case 'promoted': {
        const now = opts.clock.now();
        const due = bound.filter((m) => {
          const key = `${c.rollout}|${schemaMigrationName(m)}|${c.armed.hash}`;
          const state = contracts.get(key) ?? { done: false, failures: 0 };
          contracts.set(key, state);
          if (state.done || (state.retryAtMs !== undefined && now < state.retryAtMs)) return false;
          // The runner checks the same guard again; asking first keeps a waiting contract off the database.
          const bakeUntil = c.promotedAtMs + m.spec.bakeTimeMs;
          const wait = c.olderRevisionProcesses > 0 ? `${c.olderRevisionProcesses} process(es) of an older revision still running` : now < bakeUntil ? 'baking' : undefined;
          if (wait !== undefined && wait !== state.waiting) opts.log(`${c.rollout}: contract of ${schemaMigrationName(m)} waits: ${wait}`);
          state.waiting = wait;
          return wait === undefined;
        });
        if (due.length === 0) return;
        contractBusy.add(c.rollout);
        void serial(async () => {
          for (const m of due) {
            const state = contracts.get(`${c.rollout}|${schemaMigrationName(m)}|${c.armed.hash}`);
            if (state && !closed) await contractOne(c, m, state);
          }
        }).finally(() => contractBusy.delete(c.rollout));
        return;
      }
      default: {
        const never: never = c;
        void never;
      }
    }
  }

  return {
    prepareRevision(rollout, revision) {
      if (schemaMigrationsFor(opts.manifests(), rollout.metadata.name).length === 0) return Promise.resolve();
      return serial(() => prepare(rollout, revision));
    },
    afterTick(view) {
      if (closed) return;
      const now = opts.clock.now();
      for (const r of view.rollouts) {
        lastViews.set(r.name, r);
        const bound = schemaMigrationsFor(opts.manifests(), r.name);
        if (bound.length === 0) continue;
        const candidate = tracker.observe(r, view.pods, now);
        if (candidate && !contractBusy.has(r.name)) consider(candidate, bound);
      }
    },
    async idle() {
      while (inFlight > 0) await queue;
    },
    async close() {
      closed = true;
      const bound = opts.closeTimeoutMs ?? 30_000;
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), bound);
      });
      const idle = queue.then(() => false);
      const late = await Promise.race([idle, timedOut]);
      clearTimeout(timer);
      if (late) opts.log(`a schema migration step was still running after ${bound} ms; the advisory lock is released when its session closes`);
      if (inFlight === 0 && !opts.databases) await pool.close();
    },
  };
}
