/**
 * The real engine in a process of its own, for kill -9 tests: Runtime + SQLite store on a file +
 * the real Prometheus provider (pointed at a query server the test runs) on a scaled clock whose
 * anchor is saved in the store, as `baton up` does, so engine time goes on while it is down.
 * Pods are simulated (they come back through restoreScale after a restart, as re-adopted
 * processes would) and traffic goes to an in-memory router.
 *
 * Run: node --import tsx test/support/engine-child.ts '<json EngineChildConfig>'
 * It puts the tbyte example's v1 in force, waits for it to be Healthy, then the target release
 * (v2 good / v3 bad, by image), and exits 0 once the rollout has settled (Healthy on the target,
 * or aborted). `crash` makes it SIGKILL itself at one exact point of a measurement's life.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createScaledClock, nextAnchor, type ScaledClockAnchor } from '../../src/adapters/clock/scaled.js';
import { createSystemClock } from '../../src/adapters/clock/system.js';
import { createMetricsProviders } from '../../src/adapters/metrics/index.js';
import { openSqliteStore } from '../../src/adapters/store/sqlite/index.js';
import { createMemoryTrafficRouter } from '../../src/adapters/traffic/memory/index.js';
import { createSimulatedWorkloads } from '../../src/adapters/workloads/simulated/index.js';
import { setImages } from '../../src/core/spec/edit.js';
import { parseManifests, type ManifestFile } from '../../src/core/spec/load.js';
import { Runtime } from '../../src/engine/runtime.js';
import type { MetricsProvider } from '../../src/ports/metrics-provider.js';
import type { RuntimeStateStore, SaveTick } from '../../src/ports/state-store.js';
import { outcomeOf } from './engine-outcome.js';

/** Points of a measurement's life the child can die at (the n-th time it gets there). */
export type CrashPoint = 'before-query' | 'after-result' | 'after-persist';

export interface EngineChildConfig {
  db: string;
  /** The query server standing in for the templates' Prometheus address. */
  prometheus: string;
  timeScale: number;
  /** The target release's frontend image. */
  image: string;
  crash?: { point: CrashPoint; n: number };
}

export const FRONTEND = 'tbyte-microservices-frontend';
const SEED_PROMETHEUS = 'http://monitoring-kube-prometheus-prometheus.monitoring:9090';
const ROOT = join(import.meta.dirname, '..', '..');
const dir = join(ROOT, 'examples', 'tbyte', 'manifests');

async function main(cfg: EngineChildConfig): Promise<void> {
  const files: ManifestFile[] = readdirSync(dir).map((f) => ({ path: join(dir, f), text: readFileSync(join(dir, f), 'utf8') }));
  const sqlite = openSqliteStore(cfg.db);
  const anchor = nextAnchor(sqlite.getMeta('harness.clock') ? (JSON.parse(sqlite.getMeta('harness.clock') as string) as ScaledClockAnchor) : undefined, cfg.timeScale, Date.now());
  sqlite.setMeta('harness.clock', JSON.stringify(anchor));
  const clock = createScaledClock(anchor, createSystemClock());

  let seen = 0;
  const crashAt = (point: CrashPoint): void => {
    if (cfg.crash?.point === point && ++seen === cfg.crash.n) process.kill(process.pid, 'SIGKILL');
  };
  const store: RuntimeStateStore = Object.create(sqlite) as RuntimeStateStore;
  store.saveTick = (tick: SaveTick) => {
    sqlite.saveTick(tick);
    if (tick.events?.some((e) => e.type === 'Measurement')) crashAt('after-persist');
  };
  const real = createMetricsProviders({ addressMap: { [SEED_PROMETHEUS]: cfg.prometheus } });
  const providerFor = (spec: Parameters<typeof real>[0]): MetricsProvider => ({
    type: spec.type,
    async measure(s, ctx) {
      crashAt('before-query');
      const result = await real(s).measure(s, ctx);
      crashAt('after-result');
      return result;
    },
  });
  const runtime = new Runtime({ clock, workloads: createSimulatedWorkloads(clock, 0), traffic: createMemoryTrafficRouter(), providerFor, store, idleTickMs: 1_000, onEvent: (e) => {
    // Storage holds are reported to the parent (the disk-full test waits for them).
    if (e.type.startsWith('Storage')) process.stdout.write(`${JSON.stringify(e)}\n`);
  } });
  const target = setImages(files, { kind: 'Rollout', name: FRONTEND }, { frontend: cfg.image });
  const started = sqlite.load(FRONTEND) !== undefined;
  await runtime.setManifests(parseManifests(started ? target : files).set);
  runtime.start();
  const c = runtime.rollout(FRONTEND);
  if (!c) throw new Error('no frontend rollout');
  if (!started) {
    while (c.status?.phase !== 'Healthy') await runtime.nextTick();
    await runtime.setManifests(parseManifests(target).set);
  }
  process.stdout.write('releasing\n');
  for (;;) {
    await runtime.nextTick();
    const s = c.rolloutState;
    const done = s.aborted ? c.status?.phase === 'Degraded' : c.status?.phase === 'Healthy' && s.revisions.length > 1 && s.stableHash === s.currentHash;
    if (done && !c.busy) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  await runtime.stop();
  // The outcome and every weight change and storage event, for a parent that cannot read the file.
  const timeline = sqlite.events().filter((e) => e.type === 'WeightChanged' || e.type.startsWith('Storage')).map((e) => ({ type: e.type, at: e.at }));
  process.stdout.write(`outcome ${JSON.stringify({ ...outcomeOf(sqlite, FRONTEND), timeline })}\n`);
  sqlite.close();
  process.stdout.write('done\n');
}

await main(JSON.parse(process.argv[2] ?? '{}') as EngineChildConfig);
