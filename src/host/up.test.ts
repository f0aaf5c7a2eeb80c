import { writeFileSync } from 'node:fs';
import { afterEach, expect, it } from 'vitest';
import { tempDir } from '../../test/support/net.js';
import { ensureStateDir, resolveStateDir } from './state-dir.js';
import { lastAddresses } from './up.js';

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
