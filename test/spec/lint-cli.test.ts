/**
 * `baton lint` as a user runs it: a real `node bin/baton.js` child process (from the TypeScript
 * sources), its stdout, stderr and exit code.
 */
import { execFile } from 'node:child_process';
import { describe, expect, it } from 'vitest';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function baton(args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['bin/baton.js', ...args], { env: { ...process.env, BATON_FROM_SOURCE: '1' }, timeout: 60_000 }, (err, stdout, stderr) => {
      if (err && typeof err.code !== 'number') return reject(new Error(`baton did not run: ${err.message}`));
      resolve({ code: typeof err?.code === 'number' ? err.code : 0, stdout, stderr });
    });
  });
}

describe('node bin/baton.js lint', () => {
  it('exits 0 on valid manifests and 1 on invalid ones, printing every problem', async () => {
    const ok = await baton(['lint', 'test/fixtures/manifests/valid', 'test/fixtures/manifests/seed']);
    expect(ok).toEqual({ code: 0, stdout: '0 errors, 0 warnings in 8 files\n', stderr: '' });
    const bad = await baton(['lint', '--json', 'test/fixtures/manifests/invalid']);
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout)).toMatchObject({ valid: false, errors: 18, warnings: 0 });
  });

  it('names a missing path and a missing argument without a stack trace', async () => {
    const missing = await baton(['lint', 'no-such-dir']);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toContain('no-such-dir: no such file or directory');
    expect(missing.stdout + missing.stderr).not.toMatch(/\n\s+at /);
    const none = await baton(['lint']);
    expect(none.code).toBe(64);
    expect(none.stderr).toContain("missing required argument 'paths'");
  });
});
