/**
 * Bad input gets diagnostics, never an exception: every field of the fixtures replaced, one at a
 * time, by values of the wrong shape must still parse to a result.
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import { parseManifests } from '../../src/core/spec/load.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Seg = string | number;

function paths(value: Json, prefix: Seg[] = []): Seg[][] {
  const out: Seg[][] = [prefix];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...paths(v, [...prefix, i])));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...prefix, k]));
  return out;
}

function replaced(value: Json, path: Seg[], by: Json): Json {
  if (path.length === 0) return by;
  const [head, ...rest] = path as [Seg, ...Seg[]];
  if (Array.isArray(value)) return value.map((v, i) => (i === head ? replaced(v, rest, by) : v));
  if (value && typeof value === 'object') return { ...value, [head]: replaced(value[head as string] ?? null, rest, by) };
  return value;
}

const WRONG: Json[] = [null, 7, -1, 'x', '', true, [], {}, [1], { a: 1 }];

describe('robustness', () => {
  it.each(['valid', 'seed', 'blue-green'])('survives every field of %s replaced by wrong shapes', async (dir) => {
    const names = dir === 'blue-green' ? ['rollout.yaml'] : dir === 'seed' ? ['rollout.yaml', 'analysis.yaml', 'services.yaml', 'virtualservices.yaml'] : ['rollout.yaml', 'analysis.yaml', 'services.yaml', 'virtualservice.yaml'];
    const docs: Json[] = [];
    for (const n of names) {
      const text = await readFile(`test/fixtures/manifests/${dir}/${n}`, 'utf8');
      for (const d of parseAllDocuments(text) as unknown as { toJS(): Json }[]) docs.push(d.toJS());
    }
    let runs = 0;
    docs.forEach((doc, i) => {
      paths(doc).forEach((p, k) => {
        // One shape per field, rotating through WRONG: the run stays short and every shape is used.
        for (const by of [WRONG[k % WRONG.length] ?? null]) {
          const mutated = docs.map((d, j) => (j === i ? replaced(d, p, by) : d));
          const text = mutated.map((d) => stringify(d)).join('---\n');
          const r = parseManifests([{ path: 'x.yaml', text }]);
          // Every problem points into the input: the file, and a line inside it (0 only for problems not tied to a line).
          for (const d of r.diagnostics) {
            expect(d.file).toBe('x.yaml');
            expect(d.line).toBeGreaterThanOrEqual(0);
            expect(d.line).toBeLessThanOrEqual(text.split('\n').length);
            expect(d.message.length).toBeGreaterThan(0);
          }
          runs++;
        }
      });
    });
    expect(runs).toBeGreaterThan(50);
  });
});
