import { writeFileSync } from 'node:fs';
import { afterEach, expect, it } from 'vitest';
import { tempDir } from '../../test/support/net.js';
import { ensureStateDir, resolveStateDir } from './state-dir.js';
import { exposureWarnings, lastAddresses } from './up.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

it('takes the addresses of the last run in the state dir, so a restart after a crash serves where users point', async () => {
  const tmp = await tempDir();
  cleanups.push(tmp.remove);
  const dir = resolveStateDir(`${tmp.path}/.baton`);
  ensureStateDir(dir);
  expect(lastAddresses(dir)).toEqual({});
  writeFileSync(dir.gateway, JSON.stringify({ pid: 1, procStart: null, listen: '127.0.0.1:18080', admin: 'http://127.0.0.1:39001' }));
  writeFileSync(dir.controller, JSON.stringify({ pid: 2, api: 'http://127.0.0.1:17070', gateway: 'http://127.0.0.1:18080', startedAt: 0 }));
  expect(lastAddresses(dir)).toEqual({ listen: '127.0.0.1:18080', api: '127.0.0.1:17070' });
  // A damaged record counts as none.
  writeFileSync(dir.controller, JSON.stringify({ api: 'not a url' }));
  expect(lastAddresses(dir)).toEqual({ listen: '127.0.0.1:18080' });
});

it('warns about a listener beyond loopback, saying what it exposes and to whom', () => {
  expect(exposureWarnings('127.0.0.1:8080', '127.0.0.1:7070')).toEqual([]);
  expect(exposureWarnings('[::1]:8080', 'localhost:7070')).toEqual([]);
  const both = exposureWarnings('0.0.0.0:8080', '10.0.0.5:7070');
  expect(both).toHaveLength(2);
  expect(both[0]).toMatch(/^warning: --api 10\.0\.0\.5:7070 is reachable from other machines.*control API.*token.*plain HTTP/);
  expect(both[1]).toMatch(/^warning: --listen 0\.0\.0\.0:8080 is reachable from other machines.*gateway serves your services to anyone/);
});
