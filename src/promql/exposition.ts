/**
 * The Prometheus text exposition format 0.0.4 (expfmt's text parser as used by
 * model/textparse/promparse.go): `# HELP`, `# TYPE`, samples `name{l="v",...} value [ts_ms]`,
 * label values escaped with \\ \" \n. Any malformed line fails the whole scrape, as in
 * Prometheus, with the line number.
 */
import { parseGoFloat } from './go-float.js';
import { METRIC_NAME, sortLabels, type Label, type Labels } from './labels.js';

/** One exposed sample. */
export interface ExposedSample {
  readonly labels: Labels;
  readonly value: number;
  /** Explicit timestamp in ms, when the line had one. */
  readonly timestampMs: number | undefined;
}

/** Metric metadata from HELP/TYPE lines. */
export interface ExposedMetadata {
  type?: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';
  help?: string;
}

/** A parsed exposition body. */
export interface Exposition {
  samples: ExposedSample[];
  metadata: Map<string, ExposedMetadata>;
}

/** A body that is not valid text format; `line` is 1-based. */
export class ExpositionParseError extends Error {
  constructor(
    readonly line: number,
    detail: string,
  ) {
    super(`text format parsing error in line ${line}: ${detail}`);
  }
}

const METRIC_NAME_RE = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]*/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

function unescapeHelp(s: string): string {
  return s.replace(/\\(\\|n)/g, (_m, c: string) => (c === 'n' ? '\n' : '\\'));
}

/** Parses a text-format body. */
export function parseExposition(body: string): Exposition {
  const samples: ExposedSample[] = [];
  const metadata = new Map<string, ExposedMetadata>();
  const lines = body.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const raw = (lines[n] as string).replace(/\r$/, '');
    const line = raw.replace(/^[ \t]+/, '');
    const lineNo = n + 1;
    if (line === '') continue;
    if (line.startsWith('#')) {
      const m = /^#[ \t]+(HELP|TYPE)[ \t]+([a-zA-Z_:][a-zA-Z0-9_:]*)(?:[ \t]+(.*))?$/.exec(line);
      if (!m) continue;
      const name = m[2] as string;
      const meta = metadata.get(name) ?? {};
      if (m[1] === 'TYPE') {
        const t = (m[3] ?? '').trim();
        if (!TYPES.has(t)) throw new ExpositionParseError(lineNo, `unknown metric type ${JSON.stringify(t)}`);
        if (meta.type !== undefined) throw new ExpositionParseError(lineNo, `second TYPE line for metric name ${JSON.stringify(name)}, or TYPE reported after samples`);
        meta.type = t as ExposedMetadata['type'];
      } else {
        meta.help = unescapeHelp(m[3] ?? '');
      }
      metadata.set(name, meta);
      continue;
    }
    samples.push(parseSampleLine(line, lineNo));
  }
  return { samples, metadata };
}

function parseSampleLine(line: string, lineNo: number): ExposedSample {
  const nm = METRIC_NAME_RE.exec(line);
  if (!nm) throw new ExpositionParseError(lineNo, `invalid metric name in ${JSON.stringify(line)}`);
  const name = nm[0];
  let i = name.length;
  const labels: Label[] = [{ name: METRIC_NAME, value: name }];
  const skipWs = (): void => {
    while (line[i] === ' ' || line[i] === '\t') i++;
  };
  skipWs();
  if (line[i] === '{') {
    i++;
    for (;;) {
      skipWs();
      if (line[i] === '}') {
        i++;
        break;
      }
      const ln = LABEL_NAME_RE.exec(line.slice(i));
      if (!ln) throw new ExpositionParseError(lineNo, `invalid label name for metric ${JSON.stringify(name)}`);
      i += ln[0].length;
      skipWs();
      if (line[i] !== '=') throw new ExpositionParseError(lineNo, `expected '=' after label name, found ${JSON.stringify(line[i] ?? '')}`);
      i++;
      skipWs();
      if (line[i] !== '"') throw new ExpositionParseError(lineNo, `expected '"' at start of label value, found ${JSON.stringify(line[i] ?? '')}`);
      i++;
      let value = '';
      for (;;) {
        const c = line[i];
        if (c === undefined) throw new ExpositionParseError(lineNo, 'unexpected end of label value');
        if (c === '"') {
          i++;
          break;
        }
        if (c === '\\') {
          const e = line[i + 1];
          if (e === 'n') value += '\n';
          else if (e === '\\' || e === '"') value += e;
          else throw new ExpositionParseError(lineNo, `invalid escape sequence '\\${e ?? ''}'`);
          i += 2;
          continue;
        }
        value += c;
        i++;
      }
      if (labels.some((l) => l.name === ln[0])) throw new ExpositionParseError(lineNo, `duplicate label name ${JSON.stringify(ln[0])}`);
      if (value !== '') labels.push({ name: ln[0], value });
      skipWs();
      if (line[i] === ',') {
        i++;
        continue;
      }
      if (line[i] === '}') {
        i++;
        break;
      }
      throw new ExpositionParseError(lineNo, `unexpected ${JSON.stringify(line[i] ?? 'end of line')} in label set`);
    }
  }
  const rest = line.slice(i).trim().split(/[ \t]+/);
  if (rest.length === 0 || rest[0] === '') throw new ExpositionParseError(lineNo, `expected value after metric ${JSON.stringify(name)}`);
  if (rest.length > 2) throw new ExpositionParseError(lineNo, `unexpected ${JSON.stringify(rest[2])} after timestamp`);
  const value = parseGoFloat(rest[0] as string);
  if (value === undefined) throw new ExpositionParseError(lineNo, `expected float as value, got ${JSON.stringify(rest[0])}`);
  let timestampMs: number | undefined;
  if (rest[1] !== undefined) {
    if (!/^-?\d+$/.test(rest[1])) throw new ExpositionParseError(lineNo, `expected integer as timestamp, got ${JSON.stringify(rest[1])}`);
    timestampMs = Number(rest[1]);
  }
  return { labels: sortLabels(labels), value, timestampMs };
}
