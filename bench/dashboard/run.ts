/**
 * The dashboard with 200 rollouts, in Debian's Chromium: how long the list takes to show all
 * 200 rows on a fresh load, and how long a change takes to be on screen after the controller
 * records it. Side by side with the floor under each: fetching the list's JSON from the page,
 * and the event's arrival over the stream before the page has drawn anything.
 *
 *   npx tsx bench/dashboard/run.ts [--rollouts 200] [--updates 40] [--loads 7]
 *
 * The control API is the real handler (src/api/handler.ts) on a real socket, with the built
 * dashboard (npm run build:dashboard); the controller behind it is an in-memory list and event
 * log, so what is measured is the API, the stream and the page, not a reconcile.
 */
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { startFetchServer } from '../../src/adapters/http/fetch-server.js';
import { createApiHandler, type ControlApi } from '../../src/api/handler.js';
import type { WorkloadSummary } from '../../src/api/types.js';
import { EventLog } from '../../test/support/event-log.js';

const { values } = parseArgs({ options: { rollouts: { type: 'string', default: '200' }, updates: { type: 'string', default: '40' }, loads: { type: 'string', default: '7' } } });
const N = Number(values.rollouts);
const UPDATES = Number(values.updates);
const LOADS = Number(values.loads);
const TOKEN = 'bench-token-0123456789abcdef';

const PHASES = ['Healthy', 'Progressing', 'Paused', 'Degraded'];
const list: WorkloadSummary[] = Array.from({ length: N }, (_, i) => ({
  kind: 'Rollout',
  name: `svc-${String(i).padStart(3, '0')}`,
  namespace: `team-${i % 8}`,
  phase: PHASES[i % 4] as string,
  message: '',
  step: `${i % 10}/9`,
  strategy: 'canary',
  canaryWeight: (i * 5) % 100,
  desired: 3,
  current: 3,
  updated: 2,
  ready: 3,
  available: 3,
  stableImage: 'registry/app:v1',
  currentImage: 'registry/app:v2',
  createdAt: Date.now() - i * 60_000,
}));
const log = new EventLog();
const api: ControlApi = {
  status: () => ({}) as never,
  list: () => list,
  detail: () => {
    throw new Error('not in this bench');
  },
  history: () => [],
  act: () => Promise.reject(new Error('not in this bench')),
  apply: () => Promise.reject(new Error('not in this bench')),
  waitEvents: (q, w) => log.waitEvents(q, w),
  logs: () => ({ files: [] }),
  audit: () => [],
  runtimeMetrics: () => '',
  prometheus: () => Promise.reject(new Error('not in this bench')),
  requestShutdown: () => {},
};

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};
const ms = (x: number): string => `${x.toFixed(1)} ms`;

const server = await startFetchServer('127.0.0.1', 0, createApiHandler(api, TOKEN));
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
try {
  // bypassCSP: the page forbids eval, which the bench's own in-page probes need; the page itself runs the same.
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
  const page = await context.newPage();
  await page.goto(`${server.url}/?token=${TOKEN}`);
  await page.locator('table.workloads tbody tr').nth(N - 1).waitFor();

  // First render: navigation start -> all N rows in the table (a reload, signed in; cache as a
  // returning user has it). Read just after Playwright sees the last row: an upper bound.
  const renders: number[] = [];
  const fetches: number[] = [];
  for (let i = 0; i < LOADS; i++) {
    await page.reload();
    await page.locator('table.workloads tbody tr').nth(N - 1).waitFor();
    renders.push(await page.evaluate<number>('performance.now()'));
    fetches.push(await page.evaluate<number>(`performance.getEntriesByType('resource').filter((e) => e.name.endsWith('/api/v1/workloads')).map((e) => e.duration)[0] ?? NaN`));
  }

  // Updates: the controller changes one rollout's phase and records an event; the page sees the
  // event (the stream's floor) and then shows the new phase in that row.
  await page.getByTestId('live-state').getByText('Live').waitFor();
  await page.evaluate(`(() => {
    window.__seen = {};
    const es = new EventSource('api/v1/events/stream');
    es.addEventListener('baton', (m) => { const e = JSON.parse(m.data); window.__seen[e.workload] = performance.timeOrigin + performance.now(); });
    window.__painted = {};
    new MutationObserver(() => {
      for (const row of document.querySelectorAll('table.workloads tbody tr')) {
        const name = row.querySelector('a')?.textContent; const badge = row.querySelector('.badge')?.textContent;
        if (name && badge === 'Degraded' && window.__want?.[name] && !window.__painted[name]) window.__painted[name] = performance.timeOrigin + performance.now();
      }
    }).observe(document.querySelector('table.workloads'), { subtree: true, childList: true, characterData: true });
  })()`);
  await new Promise((r) => setTimeout(r, 500));
  const onScreen: number[] = [];
  const streamed: number[] = [];
  for (let i = 0; i < UPDATES; i++) {
    const w = list[(i * 7 + 1) % N] as WorkloadSummary;
    if (w.phase === 'Degraded') w.phase = 'Healthy';
    await page.evaluate(`(window.__want = { ...(window.__want ?? {}), ${JSON.stringify(w.name)}: true })`);
    await page.waitForTimeout(50);
    const t0 = Date.now();
    w.phase = 'Degraded';
    log.add(w.name, 'Phase', { phase: 'Degraded' });
    await page.waitForFunction(`window.__painted[${JSON.stringify(w.name)}] !== undefined`, undefined, { timeout: 10_000 });
    const { seen, painted } = await page.evaluate<{ seen: number; painted: number }>(`({ seen: window.__seen[${JSON.stringify(w.name)}], painted: window.__painted[${JSON.stringify(w.name)}] })`);
    onScreen.push(painted - t0);
    streamed.push(seen - t0);
    await page.evaluate(`delete window.__want[${JSON.stringify(w.name)}]; delete window.__painted[${JSON.stringify(w.name)}]`);
    w.phase = 'Healthy';
  }
  const load = (await import('node:os')).loadavg()[0]?.toFixed(1);
  console.log(`dashboard with ${N} rollouts, Chromium ${browser.version()}, load average ${load}`);
  console.log(`first render (navigation -> ${N} rows), ${LOADS} loads: median ${ms(pct(renders, 50))}, max ${ms(Math.max(...renders))}; the list's JSON fetch inside it: median ${ms(pct(fetches, 50))}`);
  console.log(`update on screen after the change, ${UPDATES} changes: median ${ms(pct(onScreen, 50))}, p95 ${ms(pct(onScreen, 95))}, max ${ms(Math.max(...onScreen))}`);
  console.log(`  the event's arrival over the stream (floor):   median ${ms(pct(streamed, 50))}, p95 ${ms(pct(streamed, 95))}`);
} finally {
  await browser.close();
  await server.close();
}
