/**
 * The last applied config, kept in `--state-dir` so a restarted gateway serves what it served
 * before, even when no controller is up to push it again. Written atomically: a temp file in
 * the same directory, fsync, rename over the old file, fsync of the directory (a crash leaves
 * either the old or the new file, never a torn one).
 */
import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidInputError } from '../../core/errors.js';
import type { GatewayConfig } from '../config/types.js';
import { validateConfig } from '../config/validate.js';

/** The file name of the persisted config inside `--state-dir`. */
export const STATE_FILE = 'gateway-config.json';

/** Writes `config` to `dir/STATE_FILE` atomically and durably. */
export async function persistConfig(dir: string, config: GatewayConfig): Promise<void> {
  await mkdir(dir, { recursive: true });
  const final = join(dir, STATE_FILE);
  const tmp = join(dir, `.${STATE_FILE}.${process.pid}.tmp`);
  const fh = await open(tmp, 'w', 0o600);
  try {
    await fh.writeFile(JSON.stringify(config, null, 2) + '\n');
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, final);
  const dh = await open(dir, 'r');
  try {
    await dh.sync();
  } finally {
    await dh.close();
  }
}

/** The persisted config, or undefined when there is none; a corrupt or invalid file is an error naming it. */
export async function loadPersistedConfig(dir: string): Promise<GatewayConfig | undefined> {
  const file = join(dir, STATE_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new InvalidInputError('invalid-state-file', `${file}: not JSON (${e instanceof Error ? e.message : String(e)})`, { file });
  }
  const v = validateConfig(parsed);
  if (!v.ok) throw new InvalidInputError('invalid-state-file', `${file}: ${v.problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`, { file });
  return v.config;
}
