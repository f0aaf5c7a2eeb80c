/**
 * Cross-checks every `eval` of Baton's own test scripts (scripts/*.test, in the language of
 * Prometheus' promql/testdata) against the real Prometheus 2.42 evaluator through `promtool
 * test rules`: the same input series and expression, with no expected samples, so promtool
 * prints what Prometheus computed ("got: ..."), which must match this engine within 1e-6
 * relative. This keeps the expected values written in scripts/ honest; Prometheus' own
 * scripts in testdata/ carry Prometheus' own expectations.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evalInstant } from '../../src/promql/eval/engine.js';
import { parseGoFloat } from '../../src/promql/go-float.js';
import { labelsToRecord } from '../../src/promql/labels.js';
import { parsePromDuration } from '../../src/promql/literals.js';
import { parsePromQL } from '../../src/promql/parse.js';
import { tempDir } from '../support/net.js';
import { newTestStorage, runLoad } from './support/promql-test-run.js';
import { parseTestScript, type EvalCommand, type LoadCommand } from './support/promql-test-script.js';

const PROMTOOL = process.env.PROMTOOL_BIN ?? '/usr/bin/promtool';
const dir = join(import.meta.dirname, 'scripts');

/** The loads and evals between two `clear`s. */
interface Section {
  loads: LoadCommand[];
  evals: EvalCommand[];
}

function sectionsOf(text: string): Section[] {
  const sections: Section[] = [{ loads: [], evals: [] }];
  for (const cmd of parseTestScript(text)) {
    const cur = sections[sections.length - 1] as Section;
    if (cmd.kind === 'clear') sections.push({ loads: [], evals: [] });
    else if (cmd.kind === 'load') cur.loads.push(cmd);
    else cur.evals.push(cmd);
  }
  return sections.filter((s) => s.evals.length > 0);
}

/** Splits a load line into its series description and its values. */
function splitSeries(line: string): [string, string] {
  let i = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line)?.[0].length ?? 0;
  if (line[i] === '{') {
    let quoted = false;
    for (i++; i < line.length; i++) {
      const c = line[i];
      if (quoted && c === '\\') i++;
      else if (c === '"') quoted = !quoted;
      else if (!quoted && c === '}') break;
    }
    i++;
  }
  return [line.slice(0, i), line.slice(i).trim()];
}

/** Parses promtool's `got:` list: `{a="b"} 1E+02, name{...} 2E+00`. */
function parseGot(text: string): Map<string, number> {
  const out = new Map<string, number>();
  let i = 0;
  while (i < text.length) {
    while (text[i] === ' ' || text[i] === ',') i++;
    if (i >= text.length) break;
    let j = text.indexOf('{', i);
    let quoted = false;
    for (j++; j < text.length; j++) {
      if (quoted && text[j] === '\\') j++;
      else if (text[j] === '"') quoted = !quoted;
      else if (!quoted && text[j] === '}') break;
    }
    const desc = text.slice(i, j + 1);
    const rest = text.slice(j + 1).trimStart();
    const val = /^\S+?(?=,|$)/.exec(rest)?.[0] ?? '';
    out.set(normalizeDesc(desc), parseGoFloat(val) ?? Number.NaN);
    i = j + 1 + (text.slice(j + 1).length - rest.length) + val.length;
  }
  return out;
}

/** `name{a="b"}` and `{__name__="name", a="b"}` to one key. */
function normalizeDesc(desc: string): string {
  const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)?\{(.*)\}$/.exec(desc);
  const rec: Record<string, string> = {};
  if (m?.[1]) rec.__name__ = m[1];
  const re = /\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?/gy;
  let lm: RegExpExecArray | null;
  while ((lm = re.exec(m?.[2] ?? '')) !== null) rec[lm[1] as string] = JSON.parse(`"${lm[2] as string}"`) as string;
  return JSON.stringify(Object.entries(rec).sort(([a], [b]) => (a < b ? -1 : 1)));
}

function close(a: number, b: number): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  if (a === b) return true;
  return Math.abs(a - b) <= 1e-6 * Math.max(Math.abs(a), Math.abs(b), 1e-9);
}

/** One promtool test group per section; sections whose loads use different steps are skipped. */
function toPromtool(section: Section): string | undefined {
  const steps = [...new Set(section.loads.map((l) => l.step))];
  if (steps.length > 1) return undefined;
  const evals = section.evals.filter((e) => !e.fail);
  const series = section.loads.flatMap((l) => l.lines.map(splitSeries)).map(([desc, values]) => `      - series: ${JSON.stringify(desc)}\n        values: ${JSON.stringify(values)}`);
  const tests = evals.map((e) => `      - expr: ${JSON.stringify(e.expr)}\n        eval_time: ${e.atMs / 1000}s\n        exp_samples: []`);
  // promtool appends input samples only up to the latest eval_time it must reach, one
  // evaluation_interval at a time; a probe past the end of all data makes it load everything,
  // as this engine's storage has it.
  const stepMs = section.loads[0]?.stepMs ?? 60_000;
  const dataEnd = Math.max(0, ...section.loads.flatMap((l) => l.series.map((x) => x.values.length * stepMs)));
  const evalEnd = Math.max(0, ...evals.map((e) => e.atMs));
  tests.push(`      - expr: "vector(0)"\n        eval_time: ${Math.ceil((Math.max(dataEnd, evalEnd) + stepMs) / 60_000)}m\n        exp_samples: []`);
  return `evaluation_interval: 1m\ntests:\n  - interval: ${steps[0] ?? '1m'}\n    input_series:\n${series.length > 0 ? series.join('\n') : '      []'}\n    promql_expr_test:\n${tests.join('\n')}\n`;
}

const runIf = existsSync(PROMTOOL) ? describe : describe.skip;

runIf("Baton's scripts agree with Prometheus 2.42 (promtool)", () => {
  let tmp: { path: string; remove: () => Promise<void> };
  beforeAll(async () => {
    tmp = await tempDir('baton-promtool-');
  });
  afterAll(async () => tmp?.remove());

  for (const file of readdirSync(dir).filter((f) => f.endsWith('.test')).sort()) {
    it(file, () => {
      const sections = sectionsOf(readFileSync(join(dir, file), 'utf8'));
      const failures: string[] = [];
      let checked = 0;
      let nonEmpty = 0;
      sections.forEach((section, n) => {
        const yaml = toPromtool(section);
        if (!yaml) return;
        const path = join(tmp.path, `${file}-${n}.yml`);
        writeFileSync(path, yaml);
        // promtool reports failures (here: every non-empty result) on stderr and exits 1.
        const run = spawnSync(PROMTOOL, ['test', 'rules', path], { encoding: 'utf8' });
        const out = `${run.stdout}${run.stderr}`;
        if (/could not|error/i.test(out) && !/FAILED/.test(out)) failures.push(`${file} section ${n}: promtool: ${out.slice(0, 300)}`);
        // Results by "expr@time", from promtool's failure report (absent = empty result).
        const got = new Map<string, Map<string, number>>();
        const re = /expr: ("(?:[^"\\]|\\.)*"), time: (\S+),\n\s+exp: .*\n\s+got: (.*)/g;
        let m: RegExpExecArray | null;
        while ((m = re.exec(out)) !== null) got.set(`${JSON.parse(m[1] as string) as string}@${parsePromDuration((m[2] as string).replace(/,$/, '')) ?? m[2]}`, parseGot(m[3] as string));
        for (const e of section.evals.filter((x) => !x.fail)) {
          checked++;
          const ref = got.get(`${e.expr}@${e.atMs}`) ?? new Map<string, number>();
          if (ref.size > 0) nonEmpty++;
          const mine = evalScriptCase(section, e.expr, e.atMs);
          const keys = new Set([...ref.keys(), ...mine.keys()]);
          for (const k of keys) {
            const a = ref.get(k);
            const b = mine.get(k);
            if (a === undefined || b === undefined || !close(a, b)) failures.push(`${file} ${e.expr} @${e.atMs}ms ${k}: prometheus ${a}, baton ${b}`);
          }
        }
      });
      expect(failures).toEqual([]);
      // Most cases have results, so promtool's report was read (not an empty pass).
      expect(nonEmpty).toBeGreaterThan(checked / 2);
    });
  }
});

/** This engine's answer for one eval of a section, keyed like promtool's output. */
function evalScriptCase(section: Section, expr: string, atMs: number): Map<string, number> {
  const storage = newTestStorage();
  for (const l of section.loads) runLoad(storage, l);
  const v = evalInstant(storage, parsePromQL(expr), atMs);
  const out = new Map<string, number>();
  if (v.kind === 'scalar') out.set(normalizeDesc('{}'), v.value);
  if (v.kind === 'vector') for (const s of v.samples) out.set(JSON.stringify(Object.entries(labelsToRecord(s.labels)).sort(([a], [b]) => (a < b ? -1 : 1))), s.value);
  return out;
}
