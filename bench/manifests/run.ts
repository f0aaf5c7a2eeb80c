/**
 * bench/manifests: the cost of an edit when the set in force holds a large manifest. `baton up`
 * runs the tbyte example plus one Service carrying a 10 MB annotation (its own file); then
 * `set image` on the backend Deployment, `--edits` times, each to a new image. Reports the
 * time each edit call takes (the API answers after the edit is stored and the engine's next
 * tick), the controller's RSS after the edits and its peak (VmHWM), and the state database size.
 *
 *   npx tsx bench/manifests/run.ts [--edits 5] [--mb 10] [--baton bin/baton.js]
 *
 * `--baton` runs another checkout's CLI (e.g. a `git worktree` of an earlier commit), so the
 * same script measures before and after a change.
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pickFreePort } from '../../src/adapters/workloads/processes/pod-process.js';

const arg = (name: string, dflt: string): string => {
  const i = process.argv.indexOf(name);
  return i > 0 ? (process.argv[i + 1] ?? dflt) : dflt;
};
const ROOT = resolve(import.meta.dirname, '..', '..');
const baton = resolve(arg('--baton', join(ROOT, 'bin', 'baton.js')));
const edits = Number(arg('--edits', '5'));
const mb = Number(arg('--mb', '10'));

const root = mkdtempSync(join(tmpdir(), 'baton-bench-manifests-'));
for (const d of ['manifests', 'frontend', 'backend']) cpSync(join(ROOT, 'examples', 'tbyte', d), join(root, d), { recursive: true });
symlinkSync(join(ROOT, 'node_modules'), join(root, 'node_modules'));
writeFileSync(
  join(root, 'manifests', 'zz-large.yaml'),
  `apiVersion: v1\nkind: Service\nmetadata:\n  name: large\n  namespace: tbyte\n  annotations:\n    blob: "${'x'.repeat(mb * 1_000_000)}"\nspec:\n  selector: {app: large}\n  ports: [{port: 80}]\n`,
);
const stateDir = join(root, '.baton');
const api = `127.0.0.1:${await pickFreePort()}`;
const listen = `127.0.0.1:${await pickFreePort()}`;
const proc = spawn(process.execPath, [baton, 'up', '-f', join(root, 'manifests'), '--state-dir', stateDir, '--listen', listen, '--api', api, '--time-scale', '0.1'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
let out = '';
await new Promise<void>((res, rej) => {
  const on = (c: Buffer): void => {
    out += c.toString();
    if (out.includes('baton up: controller pid')) res();
  };
  proc.stdout.on('data', on);
  proc.stderr.on('data', on);
  proc.once('exit', (code) => rej(new Error(`baton up exited ${code}: ${out}`)));
});
const token = readFileSync(join(stateDir, 'api.token'), 'utf8').trim();
const status = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${proc.pid}/status`, 'utf8'))?.[1] ?? NaN) / 1024;
const startRss = status('VmRSS');
const times: number[] = [];
for (let i = 0; i < edits; i++) {
  const t0 = performance.now();
  const r = await fetch(`http://${api}/api/v1/workloads/tbyte-microservices-backend/actions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ action: 'set-image', images: { backend: `tbyte/backend:bench-${i}` } }),
  });
  await r.text();
  times.push(performance.now() - t0);
  if (!r.ok) throw new Error(`edit ${i}: HTTP ${r.status}`);
}
const result = {
  bench: 'manifests-edit-with-large-object',
  baton,
  largeMB: mb,
  edits,
  editMs: times.map((t) => Math.round(t)),
  medianEditMs: Math.round([...times].sort((a, b) => a - b)[Math.floor(times.length / 2)] ?? NaN),
  rssAfterStartMB: Math.round(startRss),
  rssAfterEditsMB: Math.round(status('VmRSS')),
  peakRssMB: Math.round(status('VmHWM')),
  databaseMB: Math.round((statSync(join(stateDir, 'baton.db')).size + (() => { try { return statSync(join(stateDir, 'baton.db-wal')).size; } catch { return 0; } })()) / 1e5) / 10,
};
proc.kill('SIGTERM');
await new Promise((r) => proc.once('exit', r));
rmSync(root, { recursive: true, force: true });
console.log(JSON.stringify(result));
