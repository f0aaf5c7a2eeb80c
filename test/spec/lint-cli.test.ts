/**
 * `baton lint` as a user runs it: a real `node bin/baton.js` child process (from the TypeScript
 * sources), its stdout, stderr and exit code.
 */
import { describe, expect, it } from 'vitest';
import { baton as runBaton, type Run } from '../cli/support/cli.js';

/** `node bin/baton.js <args>` from the repository root. */
const baton = (args: string[]): Promise<Run> => runBaton(args, { cwd: process.cwd() });

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
