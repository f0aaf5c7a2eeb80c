/**
 * The command language of Prometheus' PromQL test scripts (promql/testdata/*.test), parsed
 * as promql/test.go of Prometheus 2.42 parses it: lines trimmed, `#` lines blank, a blank line
 * ends a block; `clear`; `load <step>` followed by series descriptions; and
 * `eval[_fail|_ordered] instant at <time> <expr>` followed by the expected result: a number
 * (a scalar, which ends the block) or series descriptions with one value each.
 */
import { labelsKey, type Labels } from '../../../src/promql/labels.js';
import { parsePromDuration } from '../../../src/promql/literals.js';
import { parseGoNumber, parseSeriesDesc, type SeriesDesc } from './series-desc.js';

/** One expected sample of an eval: its position (1-based, for eval_ordered), labels and value. */
export interface ExpectedSample {
  pos: number;
  labels: Labels;
  value: number;
}

/** `clear`: a fresh storage. */
export interface ClearCommand {
  kind: 'clear';
  line: number;
}

/** `load <step>`: each series' values at 0, step, 2*step, ... (later lines for the same series replace earlier ones). */
export interface LoadCommand {
  kind: 'load';
  line: number;
  stepMs: number;
  /** The step as written. */
  step: string;
  series: SeriesDesc[];
  /** The series lines as written. */
  lines: string[];
}

/** `eval instant at <time> <expr>` and its expected result. */
export interface EvalCommand {
  kind: 'eval';
  line: number;
  expr: string;
  atMs: number;
  fail: boolean;
  ordered: boolean;
  /** A scalar result (test.go's `expect(0, ...)`), when the block is a bare number. */
  scalar: number | undefined;
  /** Expected samples by label key. */
  samples: Map<string, ExpectedSample>;
}

/** Any script command. */
export type ScriptCommand = ClearCommand | LoadCommand | EvalCommand;

/** A script that does not follow test.go's syntax; names the line. */
export class ScriptSyntaxError extends Error {
  readonly code = 'PROMQL_TEST_SCRIPT';
  constructor(
    readonly line: number,
    detail: string,
  ) {
    super(`line ${line}: ${detail}`);
    this.name = 'ScriptSyntaxError';
  }
}

const PAT_LOAD = /^load\s+(.+?)$/;
const PAT_EVAL = /^eval(?:_(fail|ordered))?\s+instant\s+(?:at\s+(.+?))?\s+(.+)$/;

/** test.go's getLines: trimmed, comment lines emptied. */
function getLines(input: string): string[] {
  return input.split('\n').map((l) => {
    const t = l.trim();
    return t.startsWith('#') ? '' : t;
  });
}

function seriesDesc(line: number, text: string): SeriesDesc {
  try {
    return parseSeriesDesc(text);
  } catch (e) {
    throw new ScriptSyntaxError(line, (e as Error).message);
  }
}

/**
 * Parses a whole script.
 * @throws ScriptSyntaxError for a line test.go would refuse.
 */
export function parseTestScript(input: string): ScriptCommand[] {
  const lines = getLines(input);
  const cmds: ScriptCommand[] = [];
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i] as string;
    if (l === '') continue;
    const word = (l.split(/[\t ]+/, 1)[0] as string).toLowerCase();
    if (word === 'clear') {
      cmds.push({ kind: 'clear', line: i + 1 });
    } else if (word === 'load') {
      const m = PAT_LOAD.exec(l);
      if (!m) throw new ScriptSyntaxError(i + 1, 'invalid load command. (load <step:duration>)');
      const stepMs = parsePromDuration(m[1] as string);
      if (stepMs === undefined) throw new ScriptSyntaxError(i + 1, `invalid step definition ${JSON.stringify(m[1])}`);
      const cmd: LoadCommand = { kind: 'load', line: i + 1, stepMs, step: m[1] as string, series: [], lines: [] };
      const byKey = new Map<string, SeriesDesc>();
      while (i + 1 < lines.length && lines[i + 1] !== '') {
        i++;
        const d = seriesDesc(i + 1, lines[i] as string);
        byKey.set(labelsKey(d.labels), d);
        cmd.lines.push(lines[i] as string);
      }
      cmd.series = [...byKey.values()];
      cmds.push(cmd);
    } else if (word.startsWith('eval')) {
      cmds.push(parseEval(lines, i));
      while (i + 1 < lines.length && lines[i + 1] !== '') {
        i++;
        // A scalar ends the block (test.go breaks out of its loop there).
        if (parseGoNumber(lines[i] as string) !== undefined) break;
      }
    } else {
      throw new ScriptSyntaxError(i + 1, `invalid command ${JSON.stringify(l)}`);
    }
  }
  return cmds;
}

function parseEval(lines: string[], i: number): EvalCommand {
  const m = PAT_EVAL.exec(lines[i] as string);
  if (!m) throw new ScriptSyntaxError(i + 1, 'invalid evaluation command. (eval[_fail|_ordered] instant [at <offset:duration>] <query>');
  const [, mod, at, expr] = m;
  const atMs = parsePromDuration(at ?? '');
  if (atMs === undefined) throw new ScriptSyntaxError(i + 1, `invalid step definition ${JSON.stringify(at ?? '')}`);
  const cmd: EvalCommand = {
    kind: 'eval',
    line: i + 1,
    expr: expr as string,
    atMs,
    fail: mod === 'fail',
    ordered: mod === 'ordered',
    scalar: undefined,
    samples: new Map(),
  };
  for (let j = 1; i + 1 < lines.length && lines[i + 1] !== ''; j++) {
    i++;
    const text = lines[i] as string;
    const f = parseGoNumber(text);
    if (f !== undefined) {
      cmd.scalar = f;
      break;
    }
    const d = seriesDesc(i + 1, text);
    if (d.values.length > 1) throw new ScriptSyntaxError(i + 1, 'expecting multiple values in instant evaluation not allowed');
    const v = d.values[0];
    if (v?.kind !== 'value') throw new ScriptSyntaxError(i + 1, 'an expected sample needs a number');
    cmd.samples.set(labelsKey(d.labels), { pos: j, labels: d.labels, value: v.value });
  }
  return cmd;
}
