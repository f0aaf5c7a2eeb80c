/**
 * Prometheus' own PromQL test scripts (promql/testdata/*.test of v2.42.0, unmodified, see
 * testdata/NOTICE) and Baton's own scripts in the same language (scripts/*.test), run as
 * Prometheus' promql/test.go runs them: every instant eval also with the `@` modifier
 * variants and in range mode (support/promql-test-run.ts).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { MemoryStorage } from '../../src/promql/storage.js';
import { parseTestScript, type LoadCommand } from './support/promql-test-script.js';
import { newTestStorage, runEval, runLoad } from './support/promql-test-run.js';

const dirs = [join(import.meta.dirname, 'testdata'), join(import.meta.dirname, 'scripts')];

for (const dir of dirs) {
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.test')).sort()) {
    describe(`${dir.endsWith('testdata') ? 'prometheus' : 'baton'}/${file}`, () => {
      const cmds = parseTestScript(readFileSync(join(dir, file), 'utf8'));
      // Each eval sees the loads before it since the last clear. The storage is built up as
      // the tests run in order, and rebuilt when a test needs an earlier state (e.g. alone).
      let storage: MemoryStorage = newTestStorage();
      let applied: LoadCommand[] = [];
      const storageFor = (loads: LoadCommand[]): { storage: MemoryStorage; errors: string[] } => {
        const errors: string[] = [];
        const extends_ = applied.length <= loads.length && applied.every((l, i) => l === loads[i]);
        if (!extends_) {
          storage = newTestStorage();
          applied = [];
        }
        for (const l of loads.slice(applied.length)) errors.push(...runLoad(storage, l));
        applied = [...loads];
        return { storage, errors };
      };
      let loads: LoadCommand[] = [];
      let evals = 0;
      for (const cmd of cmds) {
        if (cmd.kind === 'clear') loads = [];
        else if (cmd.kind === 'load') loads = [...loads, cmd];
        else {
          evals++;
          const mine = loads;
          it(`line ${cmd.line}: ${cmd.fail ? 'eval_fail' : cmd.ordered ? 'eval_ordered' : 'eval'} ${cmd.expr}`, () => {
            const { storage: st, errors } = storageFor(mine);
            expect(errors).toEqual([]);
            expect(runEval(st, cmd)).toEqual([]);
          });
        }
      }
      it('has evals', () => expect(evals).toBeGreaterThan(0));
    });
  }
}
