#!/usr/bin/env node
// Runs the compiled CLI when it exists (npm run build) and is not older than the sources, else
// the TypeScript sources through tsx. A dist/ older than any file under src/ is never run in
// their place: a stale build would act on code that is no longer there.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = join(root, 'dist', 'cli', 'main.js');
const sources = join(root, 'src');

/** The newest modification time of a .ts file under dir (0 when there is none, as in a package). */
function newestSource(dir) {
  let newest = 0;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (e.name.endsWith('.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

let useBuilt = existsSync(built) && !process.env.BATON_FROM_SOURCE;
if (useBuilt && existsSync(sources)) {
  const stale = newestSource(sources) > statSync(built).mtimeMs;
  if (stale) {
    process.stderr.write('baton: dist/ is older than src/ (run `npm run build`); running the sources\n');
    useBuilt = false;
  }
}
if (useBuilt) {
  await import(pathToFileURL(built).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(join(root, 'src', 'cli', 'main.ts')).href);
}
