/**
 * SchemaMigrations with the running controller. The rules (when an expand runs, when a contract
 * may, never after an abort) through the coordinator with a fake set of rollout views, a
 * virtual clock and a real PostgreSQL server; then `baton up` end to end on the tbyte example.
 */
import { cpSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createVirtualClock, type VirtualClock } from '../../src/adapters/clock/virtual.js';
import { initialRolloutState, type RolloutPhase, type RolloutState } from '../../src/core/rollout/index.js';
import type { ManifestSet, Rollout } from '../../src/core/spec/types.js';
import type { EngineEvent } from '../../src/engine/events.js';
import { createEmbeddedDatabases, withoutPassword } from '../../src/host/embedded-databases.js';
import { createSchemaMigrationCoordinator, gatewayStableErrorRate, type PodView, type RolloutView, type SchemaMigrationCoordinator, type SchemaMigrationOptions } from '../../src/host/schema-migrations.js';
import type { ControllerStatus, EventsPage, EventView, WorkloadDetail } from '../../src/api/types.js';
import { FRONTEND, promotedAndOthersGone, startLoad, startUp, waitForEventView, type LoadResult, type UpHandle } from '../support/baton-up.js';
import { createGatewayClient } from '../../src/adapters/traffic/gateway/client.js';
import { blast, splitConfig, startTestGateway, startUpstream } from '../gateway/support.js';
import { tempDir } from '../support/net.js';
import { startPostgres, type RunningPostgres } from '../support/postgres.js';
import { auditRows, columnsOf, freshDatabase, withClient, writeMigrations } from '../migrate/helpers.js';

const EXAMPLE = join(import.meta.dirname, '..', '..', 'examples', 'tbyte', 'migrations');
const ROLLOUT = 'web';
const V1 = { hash: 'aaaa1111', revision: 1 };
const V2 = { hash: 'bbbb2222', revision: 2 };
const BAKE_MS = 60_000;

let server: RunningPostgres;
beforeAll(async () => {
  server = await startPostgres();
});
afterAll(async () => {
  await server?.stop();
});

const cleanups: (() => Promise<void>)[] = [];

interface Signup {
  email: string;
  confirmed: boolean;
  status: number;
  version: string;
  wrote: string[];
  error?: string | undefined;
}
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** The manifests in force: one SchemaMigration bound to `web`, its migrations in `dir`. */
function manifestsWith(dir: string, spec: Record<string, unknown> = {}): ManifestSet {
  return {
    rollouts: [], analysisTemplates: [], clusterAnalysisTemplates: [], services: [], deployments: [], virtualServices: [], destinationRules: [], gateways: [],
    extensions: [{
      apiVersion: 'baton.dev/v1alpha1', kind: 'SchemaMigration', metadata: { name: 'users-db', labels: {}, annotations: {} },
      spec: { databaseUrl: { env: 'TEST_DATABASE_URL' }, rolloutRef: { name: ROLLOUT }, migrationsDir: '.', lockTimeout: '2s', bakeTime: `${BAKE_MS / 1000}s`, ...spec },
      source: { file: join(dir, 'schema-migration.yaml'), line: 1, column: 1 },
    }],
  };
}

const rolloutSpec = { metadata: { name: ROLLOUT } } as Rollout;

/** A rollout as the controller shows it after a tick. */
function view(state: Partial<RolloutState>, phase: RolloutPhase): RolloutView {
  return {
    name: ROLLOUT,
    spec: rolloutSpec,
    rolloutState: { ...initialRolloutState(), revisions: [{ ...V1, template: {} as never, createdAt: 0 }, { ...V2, template: {} as never, createdAt: 0 }], ...state },
    status: { phase, message: '', stepCount: 0, canaryWeight: 0, aborted: state.aborted ?? false, replicas: 0, updatedReplicas: 0, availableReplicas: 0 },
  };
}
const v1Stable = view({ stableHash: V1.hash, currentHash: V1.hash }, 'Healthy');
const v2Canary = view({ stableHash: V1.hash, currentHash: V2.hash }, 'Paused');
const v2Promoted = view({ stableHash: V2.hash, currentHash: V2.hash }, 'Healthy');
const v2Aborted = view({ stableHash: V1.hash, currentHash: V2.hash, aborted: true }, 'Degraded');
const pod = (hash: string): PodView => ({ owner: ROLLOUT, hash, pid: 4242, phase: 'Running' });

interface Harness {
  url: string;
  dir: string;
  clock: VirtualClock;
  events: EngineEvent[];
  coord: SchemaMigrationCoordinator;
  types(): string[];
  /** One tick's view, then waits for whatever it started. */
  tick(v: RolloutView, pods?: PodView[]): Promise<void>;
  /** Adds the example's 0001_email_verified, as a release that needs it would. */
  addEmailVerified(): void;
}

async function harness(extra: Partial<SchemaMigrationOptions> = {}, opts: { url?: string; reuseDir?: string } = {}): Promise<Harness> {
  const url = opts.url ?? (await freshDatabase(server.url));
  let dir = opts.reuseDir;
  if (!dir) {
    const tmp = await tempDir('baton-sm-');
    cleanups.push(tmp.remove);
    dir = tmp.path;
    cpSync(join(EXAMPLE, '0000_init'), join(dir, '0000_init'), { recursive: true });
  }
  const clock = createVirtualClock(1_000_000);
  const events: EngineEvent[] = [];
  const set = manifestsWith(dir);
  const coord = createSchemaMigrationCoordinator({ manifests: () => set, clock, recordEvent: (e) => events.push(e), log: () => undefined, env: { TEST_DATABASE_URL: url }, ...extra });
  cleanups.push(() => coord.close());
  const d = dir;
  return {
    url, dir: d, clock, events, coord,
    types: () => events.map((e) => `${e.type}${typeof e.migration === 'string' ? ` ${e.migration}` : ''}`),
    async tick(v, pods = []) {
      coord.afterTick({ rollouts: [v], pods });
      await coord.idle();
    },
    addEmailVerified() {
      cpSync(join(EXAMPLE, '0001_email_verified'), join(d, '0001_email_verified'), { recursive: true });
    },
  };
}

/** First deploy of v1 (its expands), then v2 prepared with 0001 while v1 is stable. */
async function releaseV2(h: Harness, seed = true): Promise<void> {
  await h.coord.prepareRevision(rolloutSpec, V1);
  await h.tick(v1Stable, [pod(V1.hash)]);
  if (seed) await withClient(h.url, (c) => c.query("INSERT INTO users (email, email_confirmed_at) VALUES ('a@x', now()), ('b@x', NULL)"));
  h.addEmailVerified();
  await h.coord.prepareRevision(rolloutSpec, V2);
}

describe('expands before a new revision', () => {
  it('runs the first revision\'s expands, records them with the revision, and does nothing the second time', async () => {
    const h = await harness();
    await h.coord.prepareRevision(rolloutSpec, V1);
    expect(h.types()).toEqual(['SchemaExpandStarted 0000_init', 'SchemaExpanded 0000_init']);
    expect(h.events[1]).toMatchObject({ rollout: ROLLOUT, schemaMigration: 'users-db', phase: 'expand', revision: 1 });
    const rows = await auditRows(h.url);
    expect(rows.map((r) => [r.name, r.phase, r.status, r.revision])).toEqual([['0000_init', 'expand', 'done', `${ROLLOUT}@${V1.hash} (revision 1)`]]);
    // Called again after a controller restart: the runner skips what is applied.
    await h.coord.prepareRevision(rolloutSpec, V1);
    expect(await auditRows(h.url)).toHaveLength(1);
    expect(h.events).toHaveLength(2);
  });

  it('runs the new migration\'s expand and backfill while v1 is stable', async () => {
    const h = await harness();
    await releaseV2(h);
    expect(h.types().slice(2)).toEqual(['SchemaExpandStarted 0001_email_verified', 'SchemaExpanded 0001_email_verified', 'SchemaBackfilled 0001_email_verified']);
    const users = await withClient(h.url, async (c) => (await c.query<{ email: string; email_verified: boolean }>('SELECT email, email_verified FROM users ORDER BY email')).rows);
    expect(users).toEqual([{ email: 'a@x', email_verified: true }, { email: 'b@x', email_verified: false }]);
  });

  it('rejects with the input named when the database URL is missing, and records the failure', async () => {
    const h = await harness({ env: {} });
    await expect(h.coord.prepareRevision(rolloutSpec, V1)).rejects.toMatchObject({ code: 'database-url-missing' });
    expect(h.events.map((e) => e.type)).toEqual(['SchemaMigrationFailed']);
    expect(String(h.events[0]?.message)).toContain('TEST_DATABASE_URL');
  });

  it('stops the expand and rejects when the stable revision degrades meanwhile; nothing of it stays', async () => {
    let reads = 0;
    let firstRead: () => void = () => undefined;
    const baselineTaken = new Promise<void>((r) => (firstRead = r));
    const h = await harness({
      healthIntervalMs: 1_000,
      stableErrorRate: (name) => {
        expect(name).toBe(ROLLOUT);
        reads++;
        if (reads === 1) firstRead();
        return Promise.resolve(reads === 1 ? 0.01 : 0.4);
      },
    });
    await h.coord.prepareRevision(rolloutSpec, V1);
    await h.tick(v1Stable, [pod(V1.hash)]);
    // A slow expand: the column is added, then the statement holds on until cancelled.
    await writeMigrations(h.dir, { '0001_slow': { expand: 'ALTER TABLE users ADD COLUMN IF NOT EXISTS nickname text;\nSELECT pg_sleep(60);\n' } });
    const prepared = h.coord.prepareRevision(rolloutSpec, V2);
    await baselineTaken;
    await waitForEvent(h.events, 'SchemaExpandStarted', '0001_slow');
    const started = Date.now();
    h.clock.advance(1_000);
    await expect(prepared).rejects.toThrow(/error rate rose to 40\.0% during the schema expand \(1\.0% before it, limit 6\.0%\)/);
    await expect(prepared).rejects.toMatchObject({ code: 'schema-expand-stopped', details: { migration: '0001_slow' } });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(h.events.at(-1)).toMatchObject({ type: 'SchemaMigrationFailed', migration: '0001_slow', phase: 'expand', revision: 2 });
    // Cancelled inside its transaction: the column is gone with it, and the expand is pending again.
    expect(await columnsOf(h.url, 'users')).not.toContain('nickname');
    expect((await auditRows(h.url)).filter((r) => r.name === '0001_slow').map((r) => r.status)).toEqual(['failed']);
  });

  it('takes a reading that fails or never answers as unknown, not as degraded', async () => {
    const logged: string[] = [];
    let reads = 0;
    const h = await harness({
      log: (l) => void logged.push(l),
      healthIntervalMs: 1_000,
      healthReadTimeoutMs: 50,
      stableErrorRate: () => (++reads === 1 ? Promise.reject(new Error('gateway restarting')) : new Promise<never>(() => undefined)),
    });
    await h.coord.prepareRevision(rolloutSpec, V1);
    await h.tick(v1Stable, [pod(V1.hash)]);
    h.addEmailVerified();
    await h.coord.prepareRevision(rolloutSpec, V2);
    expect(h.types()).toContain('SchemaExpanded 0001_email_verified');
    expect(logged).toContain('stable error rate unavailable: gateway restarting');
    // A reading that never answers: the next expand goes ahead once the bound passes.
    await writeMigrations(h.dir, { '0002_note': { expand: 'ALTER TABLE users ADD COLUMN IF NOT EXISTS note text;\n' } });
    await h.coord.prepareRevision(rolloutSpec, { hash: 'cccc3333', revision: 3 });
    expect(h.types()).toContain('SchemaExpanded 0002_note');
    expect(logged).toContain('stable error rate unavailable: no answer within 50 ms');
  });

  it('does not watch a first deploy (there is no stable revision to protect)', async () => {
    let reads = 0;
    const h = await harness({ stableErrorRate: () => Promise.resolve(++reads && 1) });
    await h.coord.prepareRevision(rolloutSpec, V1);
    expect(reads).toBe(0);
    expect(h.types()).toContain('SchemaExpanded 0000_init');
  });
});

/** Resolves once `events` holds one of `type` (for `migration`); checked on every push. */
function waitForEvent(events: EngineEvent[], type: string, migration?: string): Promise<void> {
  const found = (): boolean => events.some((e) => e.type === type && (migration === undefined || e.migration === migration));
  if (found()) return Promise.resolve();
  return new Promise((resolve) => {
    const push = events.push.bind(events);
    events.push = (...items: EngineEvent[]): number => {
      const n = push(...items);
      if (found()) resolve();
      return n;
    };
  });
}

describe('contracts after promotion', () => {
  it('waits for promotion, for the old revision\'s processes and for the bake time, then contracts', async () => {
    const h = await harness();
    await releaseV2(h);
    // The canary: v1 stable, v2 receiving some traffic.
    await h.tick(v2Canary, [pod(V1.hash), pod(V2.hash)]);
    h.clock.advance(10 * BAKE_MS);
    await h.tick(v2Canary, [pod(V1.hash), pod(V2.hash)]);
    // Promoted at this instant; v1 still running (scaleDownDelaySeconds).
    const promotedAt = h.clock.now();
    await h.tick(v2Promoted, [pod(V1.hash), pod(V2.hash)]);
    h.clock.advance(BAKE_MS / 2);
    await h.tick(v2Promoted, [pod(V1.hash), pod(V2.hash)]);
    expect(await columnsOf(h.url, 'users')).toContain('email_confirmed_at');
    // v1 gone, but the bake time counts from promotion.
    await h.tick(v2Promoted, [pod(V2.hash)]);
    h.clock.advanceTo(promotedAt + BAKE_MS - 1);
    await h.tick(v2Promoted, [pod(V2.hash)]);
    expect(h.types().filter((t) => t.startsWith('SchemaContract'))).toEqual([]);
    h.clock.advanceTo(promotedAt + BAKE_MS);
    await h.tick(v2Promoted, [pod(V2.hash)]);
    expect(h.types().slice(-3)).toEqual(['SchemaBackfilled 0001_email_verified', 'SchemaContractStarted 0001_email_verified', 'SchemaContracted 0001_email_verified']);
    expect(await columnsOf(h.url, 'users')).toEqual(['id', 'email', 'created_at', 'email_verified']);
    // Once only.
    h.clock.advance(BAKE_MS);
    await h.tick(v2Promoted, [pod(V2.hash)]);
    expect((await auditRows(h.url)).filter((r) => r.phase === 'contract').map((r) => r.status)).toEqual(['done']);
    // A later release without migrations, aborted: no contract is left pending, so nothing to report.
    const V3 = { hash: 'cccc3333', revision: 3 };
    await h.coord.prepareRevision(rolloutSpec, V3);
    await h.tick(view({ stableHash: V2.hash, currentHash: V3.hash, aborted: true }, 'Degraded'), [pod(V2.hash)]);
    expect(h.events.filter((e) => e.type === 'SchemaContractSkipped')).toEqual([]);
  });

  it('counts a Terminating process of the old revision as still running, and a stopped one as gone', async () => {
    const h = await harness();
    await releaseV2(h);
    await h.tick(v2Promoted, [pod(V2.hash)]);
    h.clock.advance(BAKE_MS);
    await h.tick(v2Promoted, [pod(V2.hash), { owner: ROLLOUT, hash: V1.hash, pid: 99, phase: 'Terminating' }, { owner: 'other', hash: 'x', pid: 7, phase: 'Running' }]);
    expect(h.types().filter((t) => t.startsWith('SchemaContract'))).toEqual([]);
    await h.tick(v2Promoted, [pod(V2.hash), { owner: ROLLOUT, hash: V1.hash, pid: 0, phase: 'Failed' }]);
    expect(h.types().at(-1)).toBe('SchemaContracted 0001_email_verified');
  });

  it('never contracts after an abort, not even once the same revision is retried and promoted', async () => {
    const h = await harness();
    await releaseV2(h);
    await h.tick(v2Canary, [pod(V1.hash), pod(V2.hash)]);
    await h.tick(v2Aborted, [pod(V1.hash), pod(V2.hash)]);
    expect(h.events.at(-1)).toMatchObject({ type: 'SchemaContractSkipped', phase: 'contract', revision: 2, schemaMigration: 'users-db', migrations: ['0001_email_verified'] });
    h.clock.advance(BAKE_MS);
    await h.tick(v2Aborted, [pod(V1.hash)]);
    // retry, promoted, old processes gone, bake time long past.
    await h.tick(v2Promoted, [pod(V2.hash)]);
    h.clock.advance(10 * BAKE_MS);
    await h.tick(v2Promoted, [pod(V2.hash)]);
    expect(h.events.filter((e) => e.type === 'SchemaContractSkipped')).toHaveLength(1);
    expect(h.types().filter((t) => t.startsWith('SchemaContract') && t !== 'SchemaContractSkipped')).toEqual([]);
    expect(await columnsOf(h.url, 'users')).toContain('email_confirmed_at');
    expect((await auditRows(h.url)).some((r) => r.phase === 'contract')).toBe(false);
  });

  it('contracts with the next revision after an aborted one, when that one is promoted', async () => {
    const h = await harness();
    await releaseV2(h);
    await h.tick(v2Aborted, [pod(V1.hash)]);
    const V3 = { hash: 'cccc3333', revision: 3 };
    await h.coord.prepareRevision(rolloutSpec, V3);
    const v3Promoted = view({ stableHash: V3.hash, currentHash: V3.hash, revisions: [{ ...V3, template: {} as never, createdAt: 0 }] }, 'Healthy');
    await h.tick(v3Promoted, [pod(V3.hash)]);
    h.clock.advance(BAKE_MS);
    await h.tick(v3Promoted, [pod(V3.hash)]);
    expect(h.events.at(-1)).toMatchObject({ type: 'SchemaContracted', migration: '0001_email_verified', revision: 3 });
  });

  it('never contracts for an undo back to the revision that was stable before the expand', async () => {
    const h = await harness();
    await releaseV2(h);
    await h.tick(v2Promoted, [pod(V2.hash)]);
    // During the bake time a person runs `baton undo`: v1 comes back as revision 3.
    await h.coord.prepareRevision(rolloutSpec, { hash: V1.hash, revision: 3 });
    await h.tick(v1Stable, [pod(V1.hash)]);
    h.clock.advance(10 * BAKE_MS);
    await h.tick(v1Stable, [pod(V1.hash)]);
    expect(h.types().filter((t) => t.startsWith('SchemaContract'))).toEqual([]);
    expect(await columnsOf(h.url, 'users')).toContain('email_confirmed_at');
  });

  it('after a controller restart, finds the promoted revision\'s expands in the audit table and contracts after a full bake time', async () => {
    const first = await harness();
    await releaseV2(first);
    await first.coord.close();
    const h = await harness({}, { url: first.url, reuseDir: first.dir });
    await h.tick(v2Promoted, [pod(V2.hash)]);
    expect(h.events).toEqual([]);
    h.clock.advance(BAKE_MS - 1);
    await h.tick(v2Promoted, [pod(V2.hash)]);
    expect(h.events).toEqual([]);
    h.clock.advance(1);
    await h.tick(v2Promoted, [pod(V2.hash)]);
    expect(h.types().at(-1)).toBe('SchemaContracted 0001_email_verified');
  });

  it('leaves a failing contract to a person after the attempts, with the reason in an event', async () => {
    const h = await harness({ contractRetryMs: 1_000, contractAttempts: 2 });
    await releaseV2(h);
    // A view on the old column makes the contract's DROP COLUMN fail (PostgreSQL: other objects depend on it).
    await withClient(h.url, (c) => c.query('CREATE VIEW confirmed AS SELECT email_confirmed_at FROM users'));
    await h.tick(v2Promoted, [pod(V2.hash)]);
    h.clock.advance(BAKE_MS);
    await h.tick(v2Promoted, [pod(V2.hash)]);
    await h.tick(v2Promoted, [pod(V2.hash)]);
    h.clock.advance(1_000);
    await h.tick(v2Promoted, [pod(V2.hash)]);
    h.clock.advance(1_000);
    await h.tick(v2Promoted, [pod(V2.hash)]);
    const failed = h.events.filter((e) => e.type === 'SchemaMigrationFailed');
    expect(failed.map((e) => e.next)).toEqual(['retried later', expect.stringMatching(/gave up after 2 attempts/)]);
    expect(String(failed[0]?.message)).toMatch(/depend/);
    expect(await columnsOf(h.url, 'users')).toContain('email_confirmed_at');
  });
});

describe('on the embedded database', () => {
  it('keeps one pglite:memory database for the controller\'s lifetime: the contract sees the expand', async () => {
    const h = await harness({}, { url: 'pglite:memory' });
    await releaseV2(h, false);
    await h.tick(v2Promoted, [pod(V2.hash)]);
    h.clock.advance(BAKE_MS);
    await h.tick(v2Promoted, [pod(V2.hash)]);
    expect(h.types().at(-1)).toBe('SchemaContracted 0001_email_verified');
  }, 60_000);

  it('serves it to the processes in the SchemaMigration\'s variable, and on the same port after a controller restart', async () => {
    const data = await tempDir('baton-pglite-');
    cleanups.push(data.remove);
    const set = manifestsWith(data.path);
    const env = { TEST_DATABASE_URL: `pglite:${data.path}/db`, BATON_DATABASE_STATEMENT_TIMEOUT: '1s' };
    const ports = new Map<string, number>();
    const portStore = { get: (u: string) => ports.get(u), set: (u: string, p: number) => void ports.set(u, p) };
    const passwordFile = join(data.path, 'database.password');
    const first = createEmbeddedDatabases({ serve: true, env, ports: portStore, passwordFile });
    await first.sync(set);
    const [view] = first.list();
    expect(view).toMatchObject({ schemaMigration: 'users-db', url: env.TEST_DATABASE_URL, env: 'TEST_DATABASE_URL' });
    expect(first.processEnv()).toEqual({ TEST_DATABASE_URL: view?.servedUrl });
    // The URL carries the password, which the state dir keeps owner-only.
    const password = readFileSync(passwordFile, 'utf8').trim();
    expect(password.length).toBeGreaterThanOrEqual(32);
    expect(statSync(passwordFile).mode & 0o777).toBe(0o600);
    expect(view?.servedUrl).toMatch(new RegExp(`^postgres://postgres:${password}@127\\.0\\.0\\.1:\\d+/postgres$`));
    await expect(withClient((view?.servedUrl ?? '').replace(password, 'wrong'), (c) => c.query('SELECT 1'))).rejects.toMatchObject({ code: '28P01' });
    // What baton up prints and the lock file names: the address without it.
    expect(withoutPassword(view?.servedUrl ?? '')).toBe(`postgres://postgres@127.0.0.1:${new URL(view?.servedUrl ?? '').port}/postgres`);
    await withClient(view?.servedUrl ?? '', (c) => c.query('CREATE TABLE kept (v int); INSERT INTO kept VALUES (7)'));
    // The statement timeout from BATON_DATABASE_STATEMENT_TIMEOUT.
    await expect(withClient(view?.servedUrl ?? '', (c) => c.query('SELECT pg_sleep(30)'))).rejects.toMatchObject({ code: '57014' });
    await first.close();

    const second = createEmbeddedDatabases({ serve: true, env, ports: portStore, passwordFile });
    await second.sync(set);
    try {
      expect(second.list()[0]?.servedUrl).toBe(view?.servedUrl);
      const rows = await withClient(view?.servedUrl ?? '', (c) => c.query<{ v: number }>('SELECT v FROM kept'));
      expect(rows.rows).toEqual([{ v: 7 }]);
    } finally {
      await second.close();
    }
  }, 60_000);

  it('refuses a statement timeout that is not a duration, naming the variable', () => {
    let thrown: unknown;
    try {
      createEmbeddedDatabases({ serve: true, env: { BATON_DATABASE_STATEMENT_TIMEOUT: '30' } });
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toMatchObject({ code: 'invalid-statement-timeout', message: expect.stringContaining('BATON_DATABASE_STATEMENT_TIMEOUT: "30" is not a duration') as unknown });
  });

  it('names a SchemaMigration whose variable is missing, and opens nothing for it', async () => {
    const data = await tempDir('baton-pglite-');
    cleanups.push(data.remove);
    const lines: string[] = [];
    const dbs = createEmbeddedDatabases({ serve: true, env: {}, log: (l) => lines.push(l) });
    await dbs.sync(manifestsWith(data.path));
    expect(dbs.list()).toEqual([]);
    expect(dbs.processEnv()).toEqual({});
    expect(lines.join('\n')).toMatch(/users-db: .*spec\.databaseUrl\.env: environment variable TEST_DATABASE_URL is not set/);
    await dbs.close();
  });
});

describe('the stable revision\'s error rate from the gateway', () => {
  it('sums the 5xx of the rollout\'s stable clusters over the window, from a real gateway', async () => {
    const gw = await startTestGateway();
    cleanups.push(async () => void (await gw.close()));
    const upstream = await startUpstream('u', (req, res) => {
      res.writeHead(req.url === '/boom' ? 500 : 200);
      res.end('x');
    });
    cleanups.push(() => upstream.close());
    const client = createGatewayClient(gw.adminUrl, gw.adminToken);
    const stable = (service: string): { endpoints: string[]; labels: Record<string, string> } => ({ endpoints: [upstream.key], labels: { service, rollout: ROLLOUT, revision: V1.hash } });
    const clusters = {
      [`ns/web@${V1.hash}`]: stable('web'),
      [`ns/web-stable@${V1.hash}`]: stable('web-stable'),
      [`ns/web@${V2.hash}`]: { endpoints: [upstream.key], labels: { rollout: ROLLOUT, revision: V2.hash } },
      [`ns/api@${V1.hash}`]: { endpoints: [upstream.key], labels: { rollout: 'api', revision: V1.hash } },
    };
    expect(await gatewayStableErrorRate(client, ROLLOUT, V1.hash)).toBeUndefined();
    // 40 requests over both stable clusters (split at random), 10 of them 500s.
    await client.putConfig(splitConfig(1, clusters, { [`ns/web@${V1.hash}`]: 50, [`ns/web-stable@${V1.hash}`]: 50 }));
    await blast(gw.url, '/', 30, 4);
    await blast(gw.url, '/boom', 10, 4);
    expect(await gatewayStableErrorRate(client, ROLLOUT, V1.hash, 60)).toBeCloseTo(0.25);
    // Failures of the canary and of another rollout on the same hash do not count.
    await client.putConfig(splitConfig(2, clusters, { [`ns/web@${V2.hash}`]: 50, [`ns/api@${V1.hash}`]: 50 }));
    await blast(gw.url, '/boom', 20, 4);
    expect(await gatewayStableErrorRate(client, ROLLOUT, V1.hash, 60)).toBeCloseTo(0.25);
    expect(await gatewayStableErrorRate(client, ROLLOUT, undefined)).toBeUndefined();
  });
});

/** Long-polls the controller's events until one matches; returns it. */
interface AuditTimes {
  name: string;
  phase: string;
  status: string;
  revision: string | null;
  started: number;
  finished: number | null;
}

async function auditTimes(url: string): Promise<AuditTimes[]> {
  return withClient(url, async (c) => {
    const r = await c.query<{ name: string; phase: string; status: string; revision: string | null; started_at: Date; finished_at: Date | null }>('SELECT name, phase, status, revision, started_at, finished_at FROM baton_schema_migrations ORDER BY id');
    return r.rows.map((x) => ({ name: x.name, phase: x.phase, status: x.status, revision: x.revision, started: x.started_at.getTime(), finished: x.finished_at?.getTime() ?? null }));
  });
}

const TIME_SCALE = 0.1;
/** The test copy's bake time: 60 s on the engine clock, 6 s of wall time at --time-scale 0.1. */
const E2E_BAKE_S = 60;
const isSchema = (e: EventView, type: string, migration?: string): boolean => e.workload === FRONTEND && e.type === type && (migration === undefined || e.fields.migration === migration);
/** The event's wall time; a missing event or time fails the test. */
function wallOf(e: EventView | undefined): number {
  if (e?.wallAt === undefined) throw new Error(`no wall time for ${JSON.stringify(e)}`);
  return e.wallAt;
}
const startedAtOf = (d: WorkloadDetail, image: string): number[] => d.revisions.filter((r) => r.image === image).flatMap((r) => r.pods.map((p) => p.startedAt));

describe('baton up with the tbyte SchemaMigration (real processes)', () => {
  let up: UpHandle | undefined;
  let load: { stop(): Promise<LoadResult> } | undefined;
  afterEach(async () => {
    await load?.stop();
    load = undefined;
    await up?.cleanup();
    up = undefined;
  });

  /** Steady load from a second process: the step analysis needs traffic to measure. */
  async function loadOn(h: UpHandle): Promise<void> {
    load = await startLoad(`${h.gateway}/`, { rate: 100, connections: 4 });
  }

  async function stopLoad(): Promise<LoadResult> {
    const l = load;
    load = undefined;
    if (!l) throw new Error('no load running');
    return l.stop();
  }

  /** `baton up` on the example plus its SchemaMigration: only 0000_init on disk, a short bake time. */
  async function start(url: string): Promise<UpHandle> {
    return startUp({
      timeScale: TIME_SCALE,
      copy: ['migrations'],
      files: ['migrations/schema-migration.yaml'],
      env: { TBYTE_DATABASE_URL: url },
      beforeStart: (root) => {
        // v1 ships with the users table only; 0001_email_verified arrives with v2.
        rmSync(join(root, 'migrations', '0001_email_verified'), { recursive: true });
        const manifest = join(root, 'migrations', 'schema-migration.yaml');
        const text = readFileSync(manifest, 'utf8');
        expect(text).toContain('bakeTime: 10m');
        writeFileSync(manifest, text.replace('bakeTime: 10m', `bakeTime: ${E2E_BAKE_S}s`));
      },
    });
  }

  function addEmailVerified(h: UpHandle): void {
    cpSync(join(EXAMPLE, '0001_email_verified'), join(h.root, 'migrations', '0001_email_verified'), { recursive: true });
  }

  it('expands before each revision\'s first process, and contracts after promotion, the bake time and the last v1 process', async () => {
    const url = await freshDatabase(server.url);
    up = await start(url);
    const v1 = await up.waitUntil(FRONTEND, (d) => d.phase === 'Healthy' && d.ready === 2, 60_000, 'v1 healthy');
    // First deploy: the schema exists before the app starts.
    const initDone = await waitForEventView(up, (e) => isSchema(e, 'SchemaExpanded', '0000_init'), 10_000, '0000_init expanded');
    const firstV1 = Math.min(...startedAtOf(v1, 'tbyte/frontend:v1'));
    const v1Hash = v1.revisions.find((r) => r.image === 'tbyte/frontend:v1')?.hash ?? '';
    let audit = await auditTimes(url);
    expect(audit.map((r) => [r.name, r.phase, r.status, r.revision])).toEqual([['0000_init', 'expand', 'done', `${FRONTEND}@${v1Hash} (revision 1)`]]);
    expect(audit[0]?.finished ?? Infinity).toBeLessThanOrEqual(firstV1);
    expect(wallOf(initDone)).toBeLessThanOrEqual(firstV1);
    await withClient(url, (c) => c.query("INSERT INTO users (email, email_confirmed_at) VALUES ('a@x', now()), ('b@x', NULL)"));

    addEmailVerified(up);
    await loadOn(up);
    await up.call('POST', `/api/v1/workloads/${FRONTEND}/actions`, { action: 'set-image', images: { frontend: 'tbyte/frontend:v2' } });
    const v2 = await up.waitUntil(
      FRONTEND,
      promotedAndOthersGone('tbyte/frontend:v2'),
      120_000,
      'v2 promoted and v1 gone',
    );
    await stopLoad();
    const contracted = await waitForEventView(up, (e) => isSchema(e, 'SchemaContracted', '0001_email_verified'), 60_000, 'the contract');
    const events = await up.events();
    const firstV2 = Math.min(...startedAtOf(v2, 'tbyte/frontend:v2'));
    audit = (await auditTimes(url)).filter((r) => r.name === '0001_email_verified');
    expect(audit.map((r) => `${r.phase}:${r.status}`)).toEqual(['expand:done', 'backfill:done', 'backfill:done', 'contract:done']);
    // Expand and backfill finished before the first v2 process started.
    for (const r of audit.slice(0, 2)) expect(r.finished ?? Infinity).toBeLessThanOrEqual(firstV2);
    const expanded = events.find((e) => isSchema(e, 'SchemaExpanded', '0001_email_verified'));
    expect(expanded?.fields.revision).toBe(2);
    expect(wallOf(expanded)).toBeLessThanOrEqual(firstV2);
    // The contract: after promotion plus the bake time (on the scaled clock), and after v1 was scaled down.
    const promoted = events.find((e) => e.workload === FRONTEND && e.type === 'Promoted' && e.fields.revision === 2);
    const v1Down = events.find((e) => e.workload === FRONTEND && e.type === 'ScaledDown' && e.fields.revision === 1);
    expect(promoted && v1Down).toBeTruthy();
    const contract = audit[3] as AuditTimes;
    expect(contract.started - wallOf(promoted)).toBeGreaterThanOrEqual(E2E_BAKE_S * 1000 * TIME_SCALE);
    expect(contract.started).toBeGreaterThan(wallOf(v1Down));
    expect(contracted.fields).toMatchObject({ schemaMigration: 'tbyte/tbyte-users-db', phase: 'contract', revision: 2 });
    expect(await columnsOf(url, 'users')).toEqual(['id', 'email', 'created_at', 'email_verified']);
    // `baton get` shows the steps with the rollout's events.
    const shown = (await up.call<EventsPage>('GET', `/api/v1/events?workload=${FRONTEND}&limit=1000`)).events.map((e) => e.type);
    expect(shown).toEqual(expect.arrayContaining(['SchemaExpandStarted', 'SchemaExpanded', 'SchemaBackfilled', 'SchemaContractStarted', 'SchemaContracted']));
  }, 240_000);

  it('never contracts after an abort: the expanded schema stays and v1 keeps serving, even once v2 is retried and promoted', async () => {
    const url = await freshDatabase(server.url);
    up = await start(url);
    await up.waitUntil(FRONTEND, (d) => d.phase === 'Healthy' && d.ready === 2, 60_000, 'v1 healthy');
    addEmailVerified(up);
    await loadOn(up);
    await up.call('POST', `/api/v1/workloads/${FRONTEND}/actions`, { action: 'set-image', images: { frontend: 'tbyte/frontend:v2' } });
    await waitForEventView(up, (e) => e.workload === FRONTEND && e.type === 'WeightChanged' && e.fields.canary === 10, 60_000, 'the canary at 10 %');
    await up.call('POST', `/api/v1/workloads/${FRONTEND}/actions`, { action: 'abort', reason: 'e2e' });
    await up.waitUntil(FRONTEND, (d) => d.phase === 'Degraded', 30_000, 'aborted');
    // The expanded schema did not disturb the stable revision: not one failed request.
    const served = await stopLoad();
    expect(served.total).toBeGreaterThan(0);
    expect(served.failures).toEqual([]);
    await loadOn(up);
    const skipped = await waitForEventView(up, (e) => isSchema(e, 'SchemaContractSkipped'), 30_000, 'the contract skipped');
    expect(skipped.fields).toMatchObject({ revision: 2, phase: 'contract' });
    expect(await columnsOf(url, 'users')).toEqual(['id', 'email', 'email_confirmed_at', 'created_at', 'email_verified']);

    await up.call('POST', `/api/v1/workloads/${FRONTEND}/actions`, { action: 'retry' });
    await up.waitUntil(
      FRONTEND,
      promotedAndOthersGone('tbyte/frontend:v2'),
      120_000,
      'v2 promoted after the retry and v1 gone',
    );
    await stopLoad();
    const promotedAt = wallOf((await up.events()).filter((e) => e.workload === FRONTEND && e.type === 'Promoted').pop());
    // Absence can only be seen by waiting: twice the bake time past promotion, ticks run every 0.5 s.
    const until = promotedAt + 2 * E2E_BAKE_S * 1000 * TIME_SCALE;
    while (Date.now() < until) await up.call<EventsPage>('GET', `/api/v1/events?afterId=${Number.MAX_SAFE_INTEGER}&waitMs=${Math.max(1, until - Date.now())}`);
    const events = await up.events();
    expect(events.filter((e) => isSchema(e, 'SchemaContractStarted') || isSchema(e, 'SchemaContracted'))).toEqual([]);
    expect((await auditTimes(url)).some((r) => r.phase === 'contract')).toBe(false);
    expect(await columnsOf(url, 'users')).toContain('email_confirmed_at');
  }, 240_000);

  /** Sign-ups through the gateway, one after another, until stopped: what each version wrote. */
  function startSignups(h: UpHandle): { stop(): Promise<Signup[]>; count(pred: (s: Signup) => boolean): number; until(n: number, pred: (s: Signup) => boolean, what: string): Promise<void> } {
    const done: Signup[] = [];
    let running = true;
    const loop = (async () => {
      for (let i = 0; running; i++) {
        const confirmed = i % 3 !== 0;
        // undici's request, not fetch: fetch drops a Host header, and the routes match on tbyte.local.
        const r = await request(`${h.gateway}/signup?email=u${i}%40example.com&confirmed=${confirmed ? 1 : 0}`, { method: 'POST', headers: { host: 'tbyte.local' } });
        const body = (await r.body.json()) as { version?: string; wrote?: string[]; error?: string };
        done.push({ email: `u${i}@example.com`, confirmed, status: r.statusCode, version: body.version ?? '?', wrote: body.wrote ?? [], error: body.error });
        await new Promise((res) => setTimeout(res, 20));
      }
    })();
    return {
      stop: async () => ((running = false), await loop, done),
      count: (pred) => done.filter(pred).length,
      async until(n, pred, what) {
        const deadline = Date.now() + 30_000;
        while (done.filter(pred).length < n) {
          if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; the last sign-ups: ${JSON.stringify(done.slice(-3))}`);
          await new Promise((res) => setTimeout(res, 50));
        }
      },
    };
  }

  it('serves the embedded database at the same URL after kill -9 of the controller: the re-adopted processes write again, nothing lost', async () => {
    const data = await tempDir('baton-pglite-');
    cleanups.push(data.remove);
    const url = `pglite:${data.path}`;
    up = await start(url);
    await up.waitUntil(FRONTEND, (d) => d.phase === 'Healthy' && d.ready === 2, 90_000, 'v1 healthy');
    const before = (await up.call<ControllerStatus>('GET', '/api/v1/status')).databases[0]?.servedUrl;
    const signup = async (h: UpHandle, email: string): Promise<number> => {
      const r = await request(`${h.gateway}/signup?email=${encodeURIComponent(email)}&confirmed=1`, { method: 'POST', headers: { host: 'tbyte.local' } });
      await r.body.dump();
      return r.statusCode;
    };
    expect(await signup(up, 'before@example.com')).toBe(201);
    const pids = (await up.detail(FRONTEND)).revisions.flatMap((r) => r.pods.map((p) => p.pid));

    up.proc.kill('SIGKILL');
    await new Promise((r) => up?.proc.once('exit', r));
    const { root, listen } = up;
    up = await startUp({ reuse: { root, listen }, timeScale: TIME_SCALE, env: { TBYTE_DATABASE_URL: url } });
    expect((await up.call<ControllerStatus>('GET', '/api/v1/status')).databases[0]?.servedUrl).toBe(before);
    expect((await up.detail(FRONTEND)).revisions.flatMap((r) => r.pods.map((p) => p.pid))).toEqual(pids);
    // A pool's connections died with the old server; the next sign-up opens a new one.
    const deadline = Date.now() + 20_000;
    let status = await signup(up, 'after@example.com');
    while (status !== 201 && Date.now() < deadline) status = await signup(up, 'after@example.com');
    expect(status).toBe(201);
    const rows = await withClient(before ?? '', (c) => c.query<{ email: string }>("SELECT DISTINCT email FROM users ORDER BY email"));
    expect(rows.rows.map((r) => r.email)).toEqual(['after@example.com', 'before@example.com']);
  }, 240_000);

  it('serves the embedded PGlite database to the processes: v1 writes the old column, v2 both during the canary and the new one after the contract, nothing lost', async () => {
    const data = await tempDir('baton-pglite-');
    cleanups.push(data.remove);
    up = await start(`pglite:${data.path}`);
    const v1 = await up.waitUntil(FRONTEND, (d) => d.phase === 'Healthy' && d.ready === 2, 90_000, 'v1 healthy');
    const expanded = await waitForEventView(up, (e) => isSchema(e, 'SchemaExpanded', '0000_init'), 10_000, '0000_init expanded');
    expect(wallOf(expanded)).toBeLessThanOrEqual(Math.min(...startedAtOf(v1, 'tbyte/frontend:v1')));
    // Served on 127.0.0.1; the processes got its URL in the SchemaMigration's variable.
    const status = await up.call<ControllerStatus>('GET', '/api/v1/status');
    expect(status.databases.map(({ servedUrl: _, ...rest }) => rest)).toEqual([{ schemaMigration: 'tbyte/tbyte-users-db', url: `pglite:${data.path}`, env: 'TBYTE_DATABASE_URL' }]);
    const db = status.databases[0]?.servedUrl ?? '';
    // With the password the controller keeps in its state dir (0600).
    const password = readFileSync(join(up.stateDir, 'database.password'), 'utf8').trim();
    expect(statSync(join(up.stateDir, 'database.password')).mode & 0o777).toBe(0o600);
    expect(db).toBe(`postgres://postgres:${password}@127.0.0.1:${new URL(db).port}/postgres`);
    // The data directory is the controller's: its lock names it and where it is served (not the password).
    expect(readFileSync(`${data.path}.baton-lock`, 'utf8')).toBe(`${up.proc.pid}\npostgres://postgres@127.0.0.1:${new URL(db).port}/postgres`);
    // Owner-only, whatever the umask.
    expect(statSync(data.path).mode & 0o777).toBe(0o700);
    expect(statSync(join(data.path, 'PG_VERSION')).mode & 0o777).toBe(0o600);

    const signups = startSignups(up);
    let all: Signup[];
    try {
      await signups.until(10, (x) => x.status === 201, '10 sign-ups on v1');
      addEmailVerified(up);
      await loadOn(up);
      await up.call('POST', `/api/v1/workloads/${FRONTEND}/actions`, { action: 'set-image', images: { frontend: 'tbyte/frontend:v2' } });
      await up.waitUntil(
        FRONTEND,
        promotedAndOthersGone('tbyte/frontend:v2'),
        120_000,
        'v2 promoted and v1 gone',
      );
      expect((await stopLoad()).failures).toEqual([]);
      await waitForEventView(up, (e) => isSchema(e, 'SchemaContracted', '0001_email_verified'), 60_000, 'the contract');
      // `baton get rollout` shows where each migration stands.
      expect((await up.detail(FRONTEND)).schema?.map((st) => `${st.migration} ${st.phase} ${st.state} ${st.revision}`)).toEqual(['0000_init expand done 1', '0001_email_verified contract done 2']);
      await signups.until(signups.count(() => true) + 10, () => true, '10 sign-ups after the contract');
    } finally {
      all = await signups.stop();
    }
    expect(all.filter((x) => x.status !== 201)).toEqual([]);
    const wrote = (version: string): string[] => [...new Set(all.filter((x) => x.version === version).map((x) => x.wrote.join('+')))];
    expect(wrote('tbyte/frontend:v1')).toEqual(['email_confirmed_at']);
    // v2 wrote both columns while the old one existed, then only the new one.
    const v2 = all.filter((x) => x.version === 'tbyte/frontend:v2').map((x) => x.wrote.join('+'));
    expect(v2[0]).toBe('email_confirmed_at+email_verified');
    expect(v2.at(-1)).toBe('email_verified');
    expect(v2.indexOf('email_verified')).toBeGreaterThan(0);
    expect(v2.slice(v2.indexOf('email_verified')).every((w) => w === 'email_verified')).toBe(true);

    // Every sign-up is in the table, with email_verified right: written by v2, backfilled for v1's.
    const rows = await withClient(db, (c) => c.query<{ email: string; email_verified: boolean }>('SELECT email, email_verified FROM users ORDER BY id'));
    expect(rows.rows).toEqual(all.map((x) => ({ email: x.email, email_verified: x.confirmed })));
    expect(await columnsOf(db, 'users')).toEqual(['id', 'email', 'created_at', 'email_verified']);
    const audit = await withClient(db, (c) => c.query<{ name: string; phase: string; status: string }>('SELECT name, phase, status FROM baton_schema_migrations ORDER BY id'));
    expect(audit.rows.map((r) => `${r.name} ${r.phase} ${r.status}`)).toEqual([
      '0000_init expand done',
      '0001_email_verified expand done',
      '0001_email_verified backfill done',
      '0001_email_verified backfill done',
      '0001_email_verified contract done',
    ]);
  }, 240_000);
});
