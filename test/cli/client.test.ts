/**
 * The API client on its own, against the fake controller on a real socket: one typed call per
 * endpoint, and failures as BatonError codes (the wording is checked by the verb tests).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiClient, followEvents, latestEventId } from '../../src/cli/client.js';
import { BatonError } from '../../src/core/errors.js';
import { freePort } from '../support/net.js';
import { useFakeController, workspace } from './support/cli.js';

const s = useFakeController(beforeAll, afterAll);

async function codeOf(p: Promise<unknown> | (() => unknown)): Promise<string> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    if (e instanceof BatonError) return e.code;
    throw e;
  }
  throw new Error('expected a BatonError');
}

describe('createApiClient', () => {
  it('has a typed call for every endpoint, sending the state dir token', async () => {
    const client = createApiClient({ stateDir: s.ws.stateDir });
    expect(client.url).toBe(s.controller.url);
    expect(await client.status()).toMatchObject({ api: s.controller.url, timeScale: 0.1, generation: 3 });
    expect((await client.listWorkloads()).map((w) => w.name)).toEqual(['backend', 'frontend']);
    expect(await client.getWorkload('backend')).toMatchObject({ kind: 'Deployment', revisions: [{ hash: '5d8f9c7b6' }] });
    expect((await client.history('frontend')).map((h) => h.revision)).toEqual([2, 1]);
    expect(await client.act('frontend', { action: 'abort', reason: 'bad canary' })).toMatchObject({ phase: 'Degraded', message: 'RolloutAborted: Rollout aborted update to revision 2: bad canary' });
    expect(await client.apply({ files: [{ path: '/m/a.yaml', text: 'x: 1' }] })).toMatchObject({ changed: true, generation: 4 });
    expect(await client.events({ workload: 'frontend', limit: 1 })).toMatchObject({ events: [{ id: 3, type: 'Paused' }], lastId: 3 });
    expect((await client.logs({ workload: 'frontend', pod: 'frontend-6cf78c66c5-hxm4b' })).files).toHaveLength(1);
    expect(await client.shutdown({ keepServices: true })).toEqual({ ok: true });
    expect(s.controller.shutdowns.at(-1)).toEqual({ keepServices: true });
    expect(await client.runtimeMetrics()).toContain('kube_pod_status_ready{');
    expect(s.controller.requests.filter((r) => r.path.startsWith('/api/')).every((r) => r.authorization === `Bearer ${s.controller.token}`)).toBe(true);
  });

  it('escapes a workload name in the path', async () => {
    const client = createApiClient({ server: s.controller.url, token: s.controller.token });
    expect(await codeOf(client.getWorkload('a/b?c'))).toBe('workload-not-found');
    expect(s.controller.requests.at(-1)?.path).toBe('/api/v1/workloads/a%2Fb%3Fc');
  });

  it('fails with a code per cause', async () => {
    const empty = await workspace();
    try {
      expect(await codeOf(() => createApiClient({ stateDir: empty.stateDir }))).toBe('controller-not-running');
      await writeFile(join(empty.stateDir, 'controller.json'), JSON.stringify({ pid: 1 }));
      expect(await codeOf(() => createApiClient({ stateDir: empty.stateDir }))).toBe('controller-info-invalid');
    } finally {
      await empty.remove();
    }
    expect(await codeOf(() => createApiClient({ server: 'ftp://x' }))).toBe('invalid-server');
    expect(await codeOf(createApiClient({ server: s.controller.url, token: 'nope' }).listWorkloads())).toBe('token-refused');
    expect(await codeOf(createApiClient({ server: `http://127.0.0.1:${await freePort()}`, token: 't' }).listWorkloads())).toBe('controller-unreachable');
    expect(await codeOf(createApiClient({ stateDir: s.ws.stateDir }).act('backend', { action: 'promote' }))).toBe('not-a-rollout');
  });

  it('gives up on a controller that takes the request and never answers', async () => {
    s.controller.hold.add('/api/v1/status');
    try {
      expect(await codeOf(createApiClient({ stateDir: s.ws.stateDir, timeoutMs: 200 }).status())).toBe('controller-timeout');
    } finally {
      s.controller.hold.delete('/api/v1/status');
    }
  });
});

describe('followEvents', () => {
  it('yields each page as events happen and ends quietly when its signal aborts a parked poll', async () => {
    const client = createApiClient({ stateDir: s.ws.stateDir });
    const afterId = await latestEventId(client, 'backend');
    const abort = new AbortController();
    const pages: number[][] = [];
    const done = (async () => {
      for await (const page of followEvents(client, { workload: 'backend', afterId }, abort.signal)) {
        pages.push(page.events.map((e) => e.id));
        if (pages.length === 1) {
          void s.controller.polls(s.controller.parkedPolls() + 1).then(() => abort.abort());
        }
      }
    })();
    await s.controller.polls(s.controller.parkedPolls() + 1);
    s.controller.emit('frontend', 'Other', 'not followed');
    s.controller.emit('backend', 'Restarted', 'restarted');
    await done;
    const last = s.controller.events.at(-1)?.id ?? 0;
    expect(pages).toEqual([[last]]);
  });
});
