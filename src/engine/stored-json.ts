import { BatonError } from '../core/errors.js';

/**
 * A JSON value kept in the store's meta table, read back: `fallback` when absent; a value that
 * does not parse (a damaged state file) is an error naming the key and the file to look at,
 * not a stack trace.
 */
export function readStoredJson<T>(text: string | undefined, key: string, fallback: T): T {
  if (text === undefined) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw new BatonError('state-corrupt', `the saved state "${key}" in the state database does not parse (${e instanceof Error ? e.message : String(e)}); restore the state directory from a backup or start with a fresh --state-dir`, { key });
  }
}
