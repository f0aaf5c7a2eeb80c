/**
 * Vitest global setup: builds the dashboard (dashboard/ -> dist/dashboard, about a second) when
 * the build is missing or older than its sources, so `npm test` from a fresh clone serves the
 * real page to the browser tests, and a run with nothing changed does not build again.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');

function newestMtime(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(st.mtimeMs, ...readdirSync(path).map((n) => newestMtime(join(path, n))));
}

/** The sources the build reads: the dashboard and the API types it imports. */
const SOURCES = ['dashboard', 'src/api/types.ts', 'package-lock.json'].map((p) => join(ROOT, p));

export default function setup(): void {
  const built = join(ROOT, 'dist', 'dashboard', 'index.html');
  if (existsSync(built) && statSync(built).mtimeMs >= Math.max(...SOURCES.map(newestMtime))) return;
  execFileSync(process.execPath, [join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', join(ROOT, 'dashboard', 'vite.config.mjs'), '--logLevel', 'warn'], { cwd: ROOT, stdio: 'inherit' });
}
