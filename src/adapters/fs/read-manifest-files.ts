/**
 * Reads manifest files for the spec loader: files as named, directories recursively
 * (`*.yaml`, `*.yml`, `*.json`, sorted by path so output is stable across machines).
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { BatonError } from '../../core/errors.js';
import type { ManifestFile } from '../../core/spec/load.js';

const MANIFEST_EXT = /\.(ya?ml|json)$/i;
/** JSON files a directory of manifests often holds next to them that are never manifests. */
const NOT_MANIFESTS = /^(package(-lock)?|tsconfig.*|jsconfig)\.json$/i;
const SKIP_DIRS = new Set(['node_modules']);

async function walk(dir: string, out: string[]): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const full = join(dir, e.name);
    if (e.isDirectory()) {
      if (!SKIP_DIRS.has(e.name)) await walk(full, out);
    } else if (e.isFile() && MANIFEST_EXT.test(e.name) && !NOT_MANIFESTS.test(e.name)) {
      out.push(full);
    }
  }
}

function describeError(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * Every manifest file under `paths`, read as UTF-8. A path named explicitly is read whatever its
 * extension; files found in a directory are marked `fromDirectory`. Throws `BatonError` `manifest-not-found` naming a path that does not exist, and
 * `manifest-unreadable` for one that cannot be read.
 */
export async function readManifestFiles(paths: readonly string[]): Promise<ManifestFile[]> {
  const files: string[] = [];
  const fromDirectory = new Set<string>();
  for (const p of paths) {
    let info;
    try {
      info = await stat(p);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') throw new BatonError('manifest-not-found', `${p}: no such file or directory`, { path: p });
      throw new BatonError('manifest-unreadable', `${p}: ${describeError(e)}`, { path: p });
    }
    if (info.isDirectory()) {
      const found: string[] = [];
      try {
        await walk(p, found);
      } catch (e) {
        throw new BatonError('manifest-unreadable', `${p}: ${describeError(e)}`, { path: p });
      }
      found.sort();
      for (const f of found) fromDirectory.add(f);
      files.push(...found);
    } else {
      files.push(p);
      fromDirectory.delete(p);
    }
  }
  const unique = [...new Set(files)];
  return Promise.all(
    unique.map(async (path) => {
      try {
        const text = await readFile(path, 'utf8');
        return fromDirectory.has(path) ? { path, text, fromDirectory: true } : { path, text };
      } catch (e) {
        throw new BatonError('manifest-unreadable', `${path}: ${describeError(e)}`, { path });
      }
    }),
  );
}
