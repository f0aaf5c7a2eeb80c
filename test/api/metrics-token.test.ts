import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runMetricsServe } from '../../src/cli/commands/metrics.js';
import { tempDir } from '../support/net.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

describe('baton metrics serve --token-file', () => {
  it('answers only requests with the Bearer token of the file; an empty or missing file is refused', async () => {
    const tmp = await tempDir();
    cleanups.push(tmp.remove);
    const config = join(tmp.path, 'prometheus.yml');
    writeFileSync(config, 'scrape_configs: []\n');
    const tokenFile = join(tmp.path, 'token');
    writeFileSync(tokenFile, 's3cret-token\n', { mode: 0o600 });
    const { server } = await runMetricsServe({ config, listen: '127.0.0.1:0', tokenFile });
    cleanups.push(() => server.stop());
    const q = `${server.url}/api/v1/query?query=vector(1)`;
    expect((await fetch(q)).status).toBe(401);
    expect((await fetch(q, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    const ok = await fetch(q, { headers: { authorization: 'Bearer s3cret-token' } });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { status: string }).status).toBe('success');

    writeFileSync(join(tmp.path, 'empty'), '\n');
    await expect(runMetricsServe({ config, listen: '127.0.0.1:0', tokenFile: join(tmp.path, 'empty') })).rejects.toMatchObject({ code: 'invalid-token-file' });
    await expect(runMetricsServe({ config, listen: '127.0.0.1:0', tokenFile: join(tmp.path, 'none') })).rejects.toMatchObject({ code: 'invalid-token-file' });
  });
});
