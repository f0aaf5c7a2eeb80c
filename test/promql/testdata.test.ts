/**
 * Evaluator cases ported from Prometheus' own promql/testdata scripts (Apache-2.0, the
 * Prometheus Authors), restricted to what Prometheus 2.42 evaluates the same way (classic
 * histograms only, closed range windows), run on synthetic data with exact expected values.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseScript } from './support/promql-script.js';

const dir = join(import.meta.dirname, 'testdata');

for (const file of readdirSync(dir).filter((f) => f.endsWith('.test')).sort()) {
  describe(file, () => {
    const cases = parseScript(readFileSync(join(dir, file), 'utf8'));
    it('has cases', () => expect(cases.length).toBeGreaterThan(0));
    for (const c of cases) {
      it(`line ${c.line}: ${c.expr}`, () => {
        expect(c.run()).toEqual([]);
      });
    }
  });
}
