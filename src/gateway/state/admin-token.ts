/**
 * The admin API's credential: a random bearer token kept in a file only its owner can read
 * (`<state-dir>/admin.token`, mode 0600, in a 0700 directory), created on first start and
 * reused on every restart, so a restarted gateway and its controller keep agreeing on it.
 * It is never passed on a command line, where `ps` would show it to every local user.
 */
import { randomBytes } from 'node:crypto';
import { chmod, link, mkdir, open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidInputError } from '../../core/errors.js';

/** The token's file name inside `--state-dir`. */
export const ADMIN_TOKEN_FILE = 'admin.token';

/** Shorter tokens are refused: 16 characters of base64url are 96 bits, beyond guessing over HTTP. */
export const MIN_TOKEN_LENGTH = 16;

/** `dir/admin.token`. */
export function adminTokenPath(stateDir: string): string {
  return join(stateDir, ADMIN_TOKEN_FILE);
}

/**
 * Creates `dir` when missing and makes it private (0700): it holds the token and the routing
 * config, neither of which other local users should read.
 */
export async function ensurePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
}

/** The token in `file`; an unreadable, empty or too short one is an InvalidInputError naming the file. */
export async function readAdminToken(file: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? String(e);
    throw new InvalidInputError('invalid-admin-token', `${file}: cannot read the admin token (${code})`, { file });
  }
  const token = text.trim();
  if (token.length < MIN_TOKEN_LENGTH) {
    throw new InvalidInputError('invalid-admin-token', `${file}: the admin token must be at least ${MIN_TOKEN_LENGTH} characters (it has ${token.length})`, { file });
  }
  if (/\s/.test(token)) throw new InvalidInputError('invalid-admin-token', `${file}: the admin token must be one line without spaces`, { file });
  return token;
}

/**
 * The token in `file`, created (32 random bytes, base64url, mode 0600) when the file does not
 * exist. An existing file is tightened to 0600, as `ssh` insists on for its keys. The new file
 * is written under a temporary name and hard-linked into place, which fails when the name
 * exists: two processes starting at once end up with the same token, and neither ever reads a
 * half-written file.
 */
export async function ensureAdminToken(file: string): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  const tmp = `${file}.${process.pid}-${randomBytes(6).toString('hex')}.tmp`;
  try {
    const fh = await open(tmp, 'w', 0o600);
    try {
      await fh.writeFile(`${token}\n`);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await link(tmp, file);
    return token;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw new InvalidInputError('invalid-admin-token', `${file}: cannot create the admin token (${(e as NodeJS.ErrnoException).code ?? String(e)})`, { file });
    }
  } finally {
    await rm(tmp, { force: true });
  }
  await chmod(file, 0o600);
  return readAdminToken(file);
}
