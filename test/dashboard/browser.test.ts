/**
 * The dashboard in a real browser (Debian's Chromium driven by playwright-core) on a real
 * `baton up` of the tbyte example: sign in, follow a good release from 10 % to 100 % live with
 * the chart growing, abort a slow one with the `Abort` button and its `Confirm` dialog and see
 * the reason, and keep following across a controller restart. Screenshots are kept in
 * test-artifacts/dashboard/ (gitignored).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FRONTEND, promotedAndOthersGone, startLoad, startUp, type UpHandle } from '../support/baton-up.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(import.meta.dirname, '..', '..', 'test-artifacts', 'dashboard');
const hasChromium = existsSync(CHROMIUM);
// In CI a missing browser fails the run (it is installed by .ci/run); elsewhere the tests say why they skip.
if (!hasChromium && process.env.CI) throw new Error(`${CHROMIUM} is missing: apt-get install chromium (.ci/run installs it)`);

let up: UpHandle | undefined;
let restarted: UpHandle | undefined;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let load: { stop(): Promise<unknown> } | undefined;

beforeAll(async () => {
  if (!hasChromium) return;
  mkdirSync(ARTIFACTS, { recursive: true });
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  up = await startUp();
  await up.waitUntil(FRONTEND, (d) => d.phase === 'Healthy' && d.ready === 2, 60_000, 'v1 healthy');
  // The analysis measures live traffic (error rate, p95 latency): steady load, as users would send.
  load = await startLoad(`${up.gateway}/`, { rate: 100, connections: 4 });
}, 120_000);

afterAll(async () => {
  await load?.stop();
  await browser?.close();
  await restarted?.cleanup();
  await up?.cleanup();
}, 120_000);

// A failed test leaves what the page showed at that moment.
afterEach(async (ctx) => {
  if (page && ctx.task.result?.state === 'fail') await shot(`failed-${ctx.task.name.slice(0, 40).replace(/[^a-z0-9]+/gi, '-')}`).catch(() => undefined);
});

const shot = (name: string): Promise<Buffer> => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });

/** Waits until an element of `selector` holds `text` (the page updates it from the live stream; it may sit in a closed <details>). */
async function waitForText(selector: string, text: string, timeoutMs: number): Promise<void> {
  await page.locator(selector).filter({ hasText: text }).first().waitFor({ state: 'attached', timeout: timeoutMs });
}

describe.skipIf(!hasChromium)('the dashboard in Chromium on baton up', () => {
  it('refuses a wrong token, signs in with the right one, and lists the workloads', async () => {
    const u = up as UpHandle;
    await page.goto(`${u.api}/`);
    await page.getByRole('heading', { name: 'Sign in to Baton' }).waitFor();
    await page.getByLabel('Token').fill('not-the-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').getByText('not the controller’s token').waitFor();
    await page.getByLabel('Token').fill(u.token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Rollouts and deployments' }).waitFor();
    const row = page.getByRole('row', { name: new RegExp(FRONTEND) });
    await row.getByText('Healthy').waitFor();
    expect(await row.textContent()).toContain('canary');
    await page.getByRole('row', { name: /tbyte-microservices-backend/ }).getByText('RollingUpdate').waitFor();
    // The cookie is HttpOnly and SameSite=Strict; the page's script cannot read it.
    const [cookie] = await context.cookies(u.api);
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    expect(await page.evaluate('document.cookie')).toBe('');
    // Filter by name and phase.
    await page.getByLabel('Name').fill('backend');
    await page.getByText('1 of 2 shown').waitFor();
    await page.getByLabel('Name').fill('');
    await page.getByLabel('Phase').selectOption('Degraded');
    await page.getByText('0 of 2 shown').waitFor();
    await page.getByLabel('Phase').selectOption('');
    await shot('01-list');

    // ?token= once in a fresh browser context: signed in, and the token leaves the address bar.
    const other = await browser.newContext();
    const p2 = await other.newPage();
    await p2.goto(`${u.api}/?token=${u.token}`);
    await p2.getByRole('heading', { name: 'Rollouts and deployments' }).waitFor();
    expect(p2.url()).toBe(`${u.api}/`);
    await other.close();
  });

  it('follows a good release from 10 % to 100 % live, the chart growing at each step', async () => {
    const u = up as UpHandle;
    await page.getByRole('link', { name: FRONTEND }).click();
    await page.getByRole('heading', { name: new RegExp(FRONTEND) }).waitFor();
    await page.getByTestId('live-state').getByText('Live').waitFor();
    await u.call('POST', `/api/v1/workloads/${FRONTEND}/actions`, { action: 'set-image', images: { frontend: 'tbyte/frontend:v2' } });
    const table = '[data-testid=weight-table]';
    // The step line's rises and falls (`M x,y H x V y ...`): one more at each weight change.
    const pathLength = async (): Promise<number> => {
      const d = (await page.locator('.weight-line').getAttribute('d')) ?? '';
      const ys = [/^M[\d.]+,([\d.]+)/.exec(d)?.[1], ...[...d.matchAll(/V([\d.]+)/g)].map((m) => m[1])];
      return ys.filter((y, i) => i > 0 && y !== ys[i - 1]).length;
    };
    let segments = 0;
    for (const w of [10, 25, 50, 75, 100]) {
      await waitForText(table, `weight ${w}%`, 90_000);
      const now = await pathLength();
      expect(now, `the line has a step more at ${w} %`).toBeGreaterThan(segments);
      segments = now;
      if (w === 10) await page.locator('[aria-current=step] .step-text').filter({ hasText: 'pause' }).waitFor();
      if (w === 50) {
        await shot('02-release-in-progress');
        // The README's picture: the first screen of a release in progress.
        await page.screenshot({ path: join(ARTIFACTS, 'readme-release-in-progress.png') });
      }
    }
    await u.waitUntil(FRONTEND, promotedAndOthersGone('tbyte/frontend:v2'), 60_000, 'v2 promoted');
    await page.getByTestId('message').locator('xpath=..').getByText('Healthy').waitFor();
    // The decisions along the way are marked: the pauses, and the promotion.
    const marks = await page.locator('.weight-chart .mark title').allTextContents();
    expect(marks.some((t) => t.startsWith('Paused: CanaryPauseStep'))).toBe(true);
    expect(marks.some((t) => t.startsWith('Promoted'))).toBe(true);
    // Each analysis metric has its chart with the template's threshold drawn.
    await page.locator('.metric-chart').first().waitFor();
    expect(await page.locator('.threshold-success').count()).toBeGreaterThan(0);
    await shot('03-release-done');
  }, 180_000);

  it('aborts a slow release with Abort and Confirm, and shows the reason', async () => {
    const u = up as UpHandle;
    // v3 adds 400 ms to every request: no error, so the error-rate analysis lets it through;
    // an indefinite pause after 10 % leaves the call to a person.
    u.edit('frontend-rollout.yaml', (t) =>
      t
        .replace('image: tbyte/frontend:v1', 'image: tbyte/frontend:v3')
        .replace(/name: EXTRA_LATENCY_MS\n(\s*)value: "0"/, 'name: EXTRA_LATENCY_MS\n$1value: "400"')
        .replace(/(- setWeight: 10[^\n]*\n)(\s*)- pause: \{duration: 30s\}/, '$1$2- pause: {}'),
    );
    await u.apply();
    await waitForText('[data-testid=message]', 'CanaryPauseStep', 60_000);
    await page.getByRole('button', { name: 'Promote', exact: true }).waitFor();
    expect(await page.getByRole('button', { name: 'Promote full' }).isEnabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Retry' }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Abort' }).click();
    const dialog = page.getByRole('dialog', { name: `Abort ${FRONTEND}?` });
    await dialog.waitFor();
    await dialog.getByLabel('Reason').fill('v3 adds 400 ms to every request');
    await shot('04-abort-dialog');
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await page.getByRole('status').getByText('Abort: done').waitFor({ timeout: 30_000 });
    await waitForText('[data-testid=message]', 'v3 adds 400 ms to every request', 30_000);
    await page.locator('.reasons .reason-abort').getByText('v3 adds 400 ms to every request').waitFor();
    await page.getByTestId('message').locator('xpath=..').getByText('Degraded').waitFor();
    expect(await page.getByRole('button', { name: 'Retry' }).isEnabled()).toBe(true);
    const d = await u.detail(FRONTEND);
    expect(d.aborted).toBe(true);
    expect(d.canaryWeight).toBe(0);
    // The audit says the dashboard did it.
    const audit = await u.call<{ actor: string; action: string }[]>('GET', `/api/v1/audit?workload=${FRONTEND}`);
    expect(audit.at(-1)).toMatchObject({ actor: 'dashboard', action: 'abort' });
    await shot('05-aborted');
  }, 120_000);

  it('keeps following after the controller restarts', async () => {
    const u = up as UpHandle;
    u.proc.kill('SIGKILL');
    await new Promise((r) => u.proc.once('exit', r));
    await page.getByTestId('live-state').getByText('Reconnecting…').waitFor({ timeout: 15_000 });
    restarted = await startUp({ reuse: { root: u.root, listen: u.listen }, apiPort: Number(new URL(u.api).port) });
    await page.getByTestId('live-state').getByText('Live').waitFor({ timeout: 30_000 });
    // A new event after the restart reaches the page without a reload.
    await restarted.call('POST', `/api/v1/workloads/${FRONTEND}/actions`, { action: 'retry' });
    await waitForText('.events', 'Retried', 30_000);
    await shot('06-after-restart');
  }, 120_000);
});
