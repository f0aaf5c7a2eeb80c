import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/net.js';
import { MAX_LOG_BYTES, podLogs } from './pod-logs.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

describe('podLogs', () => {
  it('keeps the named pod among the listed files, and refuses a name that is not a pod name', async () => {
    const tmp = await tempDir();
    cleanups.push(tmp.remove);
    const logs = join(tmp.path, 'logs');
    mkdirSync(logs);
    const a = join(logs, 'web-5d8f9c7b6-bcdfg.log');
    const b = join(logs, 'web-5d8f9c7b6-hjklm.log');
    writeFileSync(a, 'one\ntwo\nthree\n');
    writeFileSync(b, 'other\n');
    writeFileSync(join(logs, 'controller.log'), 'secret\n');
    writeFileSync(join(tmp.path, 'api.token'), 'token\n');
    expect(podLogs([a, b], { pod: 'web-5d8f9c7b6-bcdfg', tail: 2 }).files).toEqual([{ pod: 'web-5d8f9c7b6-bcdfg', path: a, text: 'two\nthree\n' }]);
    // Only listed files are ever read: another file of the directory is no pod of the workload.
    expect(podLogs([a, b], { pod: 'controller' }).files).toEqual([]);
    for (const bad of ['../api.token', '../../etc/passwd', 'web/../../api', '', 'Web', `${'a'.repeat(254)}`]) {
      expect(() => podLogs([a, b], { pod: bad }), bad).toThrow(expect.objectContaining({ code: 'invalid-pod-name' }) as Error);
    }
  });

  it('reads at most the last MAX_LOG_BYTES of a file, from a line start', async () => {
    const tmp = await tempDir();
    cleanups.push(tmp.remove);
    const f = join(tmp.path, 'big-1-bcdfg.log');
    const line = `${'x'.repeat(99)}\n`;
    writeFileSync(f, line.repeat(MAX_LOG_BYTES / 100 + 50) + 'last\n');
    const text = podLogs([f], {}).files[0]?.text ?? '';
    expect(text.length).toBeLessThanOrEqual(MAX_LOG_BYTES);
    expect(text.startsWith('x')).toBe(true);
    expect(text.endsWith('last\n')).toBe(true);
  });
});
