/**
 * Which state directory a verb talks to when none is named: `--state-dir`, else
 * `BATON_STATE_DIR`, else the nearest `.baton` holding a `controller.json`, looking from the
 * working directory upward (as git finds `.git`), so a verb run in a sub-directory of the
 * project, or after `baton up --detach`, finds the controller. The dirs looked at are kept, so
 * "no controller" can say where it looked.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { resolveStateDir, type StateDir } from '../host/state-dir.js';

/** The state dir found, how, and which dirs were looked at on the way. */
export interface StateDirLookup {
  dir: StateDir;
  /** `flag` for --state-dir, `env` for BATON_STATE_DIR, `search` for the upward look. */
  from: 'flag' | 'env' | 'search';
  /** The `.baton` dirs looked at, nearest first (only for `search`). */
  tried: string[];
}

/**
 * Finds the state dir. The upward look takes the nearest `.baton` with a controller.json; when
 * none has one, the nearest `.baton` that exists (`down` cleans up after a killed controller
 * there), else `.baton` in the working directory.
 */
export function findStateDir(flag: string | undefined, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): StateDirLookup {
  if (flag !== undefined) return { dir: resolveStateDir(resolve(cwd, flag), env), from: 'flag', tried: [] };
  if (env.BATON_STATE_DIR) return { dir: resolveStateDir(resolve(cwd, env.BATON_STATE_DIR), env), from: 'env', tried: [] };
  const tried: string[] = [];
  let nearestExisting: string | undefined;
  for (let d = resolve(cwd); ; d = dirname(d)) {
    const candidate = join(d, '.baton');
    tried.push(candidate);
    if (existsSync(join(candidate, 'controller.json'))) return { dir: resolveStateDir(candidate, env), from: 'search', tried };
    if (nearestExisting === undefined && existsSync(candidate)) nearestExisting = candidate;
    if (dirname(d) === d) break;
  }
  return { dir: resolveStateDir(nearestExisting ?? join(resolve(cwd), '.baton'), env), from: 'search', tried };
}

/** "in A, B and C" for a message; long lists keep the first and last few. */
export function describeTried(tried: readonly string[]): string {
  const shown = tried.length > 6 ? [...tried.slice(0, 3), '...', ...tried.slice(-2)] : tried;
  return shown.length <= 1 ? shown.join('') : `${shown.slice(0, -1).join(', ')} and ${shown.at(-1) ?? ''}`;
}
