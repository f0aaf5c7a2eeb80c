import { createHash } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../../../test/support/net.js';
import type { StoredManifestObject } from '../../../ports/state-store.js';
import { openSqliteStore } from './index.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

const obj = (name: string, text: string): StoredManifestObject => ({
  kind: 'Service',
  namespace: 'default',
  name,
  path: `/m/${name}.yaml`,
  line: 1,
  fromDirectory: false,
  text,
  digest: createHash('sha256').update(text).digest('hex'),
});

describe('manifests stored per object', () => {
  it('writes each distinct text once: an edit of one object among large ones writes only its text', async () => {
    const tmp = await tempDir();
    cleanups.push(tmp.remove);
    const path = join(tmp.path, 'baton.db');
    const store = openSqliteStore(path);
    cleanups.push(() => store.close());
    const big = obj('big', `kind: Service\nmetadata: {name: big, annotations: {blob: "${'x'.repeat(1 << 20)}"}}\n`);
    const small = obj('small', 'kind: Service\nmetadata: {name: small}\n');
    const g1 = store.applyManifestObjects({ objects: [big, small], actor: 'up', at: 1 });
    expect(store.applyManifestObjects({ objects: [big, small], actor: 'up', at: 2 })).toBe(g1);
    const edited = obj('small', 'kind: Service\nmetadata: {name: small, labels: {v: "2"}}\n');
    const g2 = store.applyManifestObjects({ objects: [big, edited], actor: 'cli', at: 3 });
    expect(g2).toBe(g1 + 1);
    expect(store.manifestObjects()).toEqual({ generation: g2, objects: [big, edited] });

    const db = new Database(path, { readonly: true });
    cleanups.push(() => db.close());
    const texts = db.prepare<[], { digest: string; size: number }>('SELECT digest, length(text) AS size FROM manifest_texts ORDER BY size').all();
    expect(texts.map((t) => t.digest).sort()).toEqual([big.digest, small.digest, edited.digest].sort());
    // The large text is stored once for both generations.
    expect(texts.filter((t) => t.size > 1 << 20)).toHaveLength(1);
  });

  it('refuses an object without a sha256 digest, naming its index', async () => {
    const tmp = await tempDir();
    cleanups.push(tmp.remove);
    const store = openSqliteStore(join(tmp.path, 'baton.db'));
    cleanups.push(() => store.close());
    expect(() => store.applyManifestObjects({ objects: [{ ...obj('a', 'x'), digest: 'nope' }], actor: 'up', at: 1 })).toThrow(expect.objectContaining({ code: 'invalid-manifest-object' }) as Error);
  });

  it('answers nothing as objects for a generation stored as files (an older Baton), which appliedManifests still gives', async () => {
    const tmp = await tempDir();
    cleanups.push(tmp.remove);
    const store = openSqliteStore(join(tmp.path, 'baton.db'));
    cleanups.push(() => store.close());
    expect(store.manifestObjects()).toBeUndefined();
    store.applyManifests({ files: [{ path: '/m/a.yaml', text: 'kind: Service\n' }], actor: 'up', at: 1 });
    expect(store.manifestObjects()).toBeUndefined();
    expect(store.appliedManifests().latest?.files).toEqual([{ path: '/m/a.yaml', text: 'kind: Service\n' }]);
  });
});
