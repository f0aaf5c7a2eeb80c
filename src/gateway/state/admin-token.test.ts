import { chmod, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/support/net.js';
import { ensureAdminToken, ensurePrivateDir, readAdminToken } from './admin-token.js';

const dirs: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await d();
});
async function fresh(): Promise<string> {
  const d = await tempDir('baton-admin-token-');
  dirs.push(d.remove);
  return d.path;
}

describe('admin token file', () => {
  it('is created once: concurrent starts all get the one token, and no temp file is left', async () => {
    const dir = await fresh();
    const file = join(dir, 'admin.token');
    const tokens = await Promise.all(Array.from({ length: 8 }, () => ensureAdminToken(file)));
    expect(new Set(tokens).size).toBe(1);
    expect(tokens[0]).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await readFile(file, 'utf8')).trim()).toBe(tokens[0]);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const { readdir } = await import('node:fs/promises');
    expect(await readdir(dir)).toEqual(['admin.token']);
  });

  it('tightens an existing token file to 0600 and keeps its token', async () => {
    const dir = await fresh();
    const file = join(dir, 'admin.token');
    await writeFile(file, 'an-existing-token-0123456789\n', { mode: 0o644 });
    await chmod(file, 0o644);
    expect(await ensureAdminToken(file)).toBe('an-existing-token-0123456789');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('refuses a short, multi-word or missing token with the file named', async () => {
    const dir = await fresh();
    const file = join(dir, 'admin.token');
    await writeFile(file, 'short\n');
    await expect(readAdminToken(file)).rejects.toMatchObject({ code: 'invalid-admin-token', message: expect.stringContaining(file) as unknown });
    await writeFile(file, 'two words that are long enough\n');
    await expect(readAdminToken(file)).rejects.toMatchObject({ code: 'invalid-admin-token' });
    await expect(readAdminToken(join(dir, 'missing'))).rejects.toMatchObject({ code: 'invalid-admin-token', message: expect.stringContaining('ENOENT') as unknown });
  });

  it('makes the state dir private, also one that existed', async () => {
    const dir = await fresh();
    const state = join(dir, 'a', 'b');
    await ensurePrivateDir(state);
    expect((await stat(state)).mode & 0o777).toBe(0o700);
    await chmod(state, 0o755);
    await ensurePrivateDir(state);
    expect((await stat(state)).mode & 0o777).toBe(0o700);
  });
});
