/**
 * A runner for Prometheus' PromQL test scripts (the promql/testdata/*.test format read by
 * promql/test.go): `load <step>` with expanding series notation (`0+10x10`, `_`, `stale`),
 * `eval instant at <time> <expr>` / `eval_ordered` / `eval_fail` with expected samples, and
 * `clear`. Values are compared as Prometheus' test does: equal, both NaN, or within 1e-6
 * relative.
 */
import { evalInstant } from '../../../src/promql/eval/engine.js';
import { parseGoFloat } from '../../../src/promql/go-float.js';
import { labelsFromRecord, labelsKey, labelsToRecord, METRIC_NAME, type Labels } from '../../../src/promql/labels.js';
import { parsePromDuration, unquoteString } from '../../../src/promql/literals.js';
import { parsePromQL } from '../../../src/promql/parse.js';
import { MemoryStorage } from '../../../src/promql/storage.js';

/** One `eval` command, for reporting. */
export interface ScriptCase {
  line: number;
  expr: string;
  run(): string[];
}

function parseSeriesDesc(desc: string): Labels {
  const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)?\s*(\{.*\})?$/.exec(desc.trim());
  if (!m) throw new Error(`bad series ${desc}`);
  const rec: Record<string, string> = {};
  if (m[1]) rec[METRIC_NAME] = m[1];
  const body = (m[2] ?? '{}').slice(1, -1);
  const re = /\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*("(?:[^"\\]|\\.)*")\s*,?/gy;
  let lm: RegExpExecArray | null;
  while ((lm = re.exec(body)) !== null) rec[lm[1] as string] = unquoteString(lm[2] as string);
  return labelsFromRecord(rec);
}

/** Splits `metric{labels} rest` at the end of the series description. */
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

type Val = number | 'stale' | undefined;

function expandValues(text: string): Val[] {
  const out: Val[] = [];
  for (const tok of text.split(/\s+/).filter(Boolean)) {
    let m: RegExpExecArray | null;
    if (tok === '_') out.push(undefined);
    else if (tok === 'stale') out.push('stale');
    else if ((m = /^_x(\d+)$/.exec(tok))) for (let i = 0; i < Number(m[1]); i++) out.push(undefined);
    else if ((m = /^(.+?)([+-])(.+)x(\d+)$/.exec(tok)) && parseGoFloat(m[1] as string) !== undefined) {
      const a = parseGoFloat(m[1] as string) as number;
      const b = (parseGoFloat(m[3] as string) as number) * (m[2] === '-' ? -1 : 1);
      for (let i = 0; i <= Number(m[4]); i++) out.push(a + i * b);
    } else if ((m = /^(.+)x(\d+)$/.exec(tok)) && parseGoFloat(m[1] as string) !== undefined) {
      for (let i = 0; i <= Number(m[2]); i++) out.push(parseGoFloat(m[1] as string));
    } else {
      const v = parseGoFloat(tok);
      if (v === undefined) throw new Error(`bad value ${tok}`);
      out.push(v);
    }
  }
  return out;
}

/** How many sample slots a `load` value list spans. */
export function countValues(values: string): number {
  return expandValues(values).length;
}

function almostEqual(a: number, b: number): boolean {
  if (Number.isNaN(a) && Number.isNaN(b)) return true;
  if (a === b) return true;
  const diff = Math.abs(a - b);
  if (a === 0 || b === 0 || diff < Number.MIN_VALUE) return diff < 1e-6 * Number.MIN_VALUE || diff < 1e-12;
  return diff / (Math.abs(a) + Math.abs(b)) < 1e-6;
}

function fmt(ls: Labels): string {
  return JSON.stringify(labelsToRecord(ls));
}

/** Appends one `load` line: value i at i * step; `_` skips, `stale` writes a stale marker. */
export function loadSeries(storage: MemoryStorage, desc: string, values: string, step: number): void {
  const labels = parseSeriesDesc(desc);
  expandValues(values).forEach((v, k) => {
    if (v === undefined) return;
    storage.append(labels, k * step, v === 'stale' ? Number.NaN : v, v === 'stale');
  });
}

/** Parses a script into runnable eval cases sharing one storage per `clear` section. */
export function parseScript(text: string): ScriptCase[] {
  const lines = text.split('\n');
  const cases: ScriptCase[] = [];
  let storage = new MemoryStorage({ retentionMs: Number.MAX_SAFE_INTEGER });
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] as string).trim();
    if (line === '' || line.startsWith('#')) continue;
    if (line === 'clear') {
      storage = new MemoryStorage({ retentionMs: Number.MAX_SAFE_INTEGER });
      continue;
    }
    let m: RegExpExecArray | null;
    if ((m = /^load\s+(\S+)$/.exec(line))) {
      const step = parsePromDuration(m[1] as string) as number;
      while (i + 1 < lines.length && /^\s+\S/.test(lines[i + 1] as string)) {
        const [desc, vals] = splitSeries((lines[++i] as string).trim());
        loadSeries(storage, desc, vals, step);
      }
      continue;
    }
    if ((m = /^(eval|eval_ordered|eval_fail)\s+instant\s+at\s+(\S+)\s+(.+)$/.exec(line))) {
      const kind = m[1] as string;
      const at = parsePromDuration(m[2] as string) as number;
      const expr = m[3] as string;
      const expected: Array<{ labels: Labels | undefined; value: number }> = [];
      while (i + 1 < lines.length && /^\s+\S/.test(lines[i + 1] as string)) {
        const l = (lines[++i] as string).trim();
        const v = parseGoFloat(l);
        if (v !== undefined) expected.push({ labels: undefined, value: v });
        else {
          const [desc, val] = splitSeries(l);
          expected.push({ labels: parseSeriesDesc(desc), value: parseGoFloat(val) as number });
        }
      }
      const st = storage;
      const lineNo = i + 1;
      cases.push({
        line: lineNo,
        expr,
        run: () => {
          let v;
          try {
            v = evalInstant(st, parsePromQL(expr), at);
          } catch (e) {
            return kind === 'eval_fail' ? [] : [`unexpected error: ${(e as Error).message}`];
          }
          if (kind === 'eval_fail') return ['expected an error, got a result'];
          if (v.kind === 'scalar') {
            const want = expected[0];
            if (!want || want.labels !== undefined || !almostEqual(want.value, v.value)) return [`scalar ${v.value}, want ${JSON.stringify(expected)}`];
            return [];
          }
          if (v.kind !== 'vector') return [`result type ${v.kind}`];
          const diffs: string[] = [];
          const got = new Map(v.samples.map((s, idx) => [labelsKey(s.labels), { s, idx }]));
          if (got.size !== expected.length) diffs.push(`${v.samples.length} samples, want ${expected.length}: got ${v.samples.map((s) => `${fmt(s.labels)} ${s.value}`).join('; ')}`);
          expected.forEach((e, idx) => {
            const g = got.get(labelsKey(e.labels ?? []));
            if (!g) diffs.push(`missing ${fmt(e.labels ?? [])}`);
            else if (!almostEqual(e.value, g.s.value)) diffs.push(`${fmt(g.s.labels)} = ${g.s.value}, want ${e.value}`);
            else if (kind === 'eval_ordered' && g.idx !== idx) diffs.push(`${fmt(g.s.labels)} at position ${g.idx}, want ${idx}`);
          });
          return diffs;
        },
      });
    }
  }
  return cases;
}

/** A script section between `clear`s, in raw form (for cross-checking with promtool). */
export interface RawSection {
  loads: Array<{ step: string; series: Array<{ desc: string; values: string }> }>;
  evals: Array<{ kind: string; at: string; expr: string }>;
}

/** Splits a script into raw sections. */
export function parseRawSections(text: string): RawSection[] {
  const lines = text.split('\n');
  const sections: RawSection[] = [{ loads: [], evals: [] }];
  const cur = (): RawSection => sections[sections.length - 1] as RawSection;
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] as string).trim();
    if (line === 'clear') sections.push({ loads: [], evals: [] });
    let m: RegExpExecArray | null;
    if ((m = /^load\s+(\S+)$/.exec(line))) {
      const load = { step: m[1] as string, series: [] as Array<{ desc: string; values: string }> };
      while (i + 1 < lines.length && /^\s+\S/.test(lines[i + 1] as string)) {
        const [desc, values] = splitSeries((lines[++i] as string).trim());
        load.series.push({ desc, values });
      }
      cur().loads.push(load);
    } else if ((m = /^(eval|eval_ordered|eval_fail)\s+instant\s+at\s+(\S+)\s+(.+)$/.exec(line))) {
      cur().evals.push({ kind: m[1] as string, at: m[2] as string, expr: m[3] as string });
    }
  }
  return sections.filter((s) => s.evals.length > 0);
}
