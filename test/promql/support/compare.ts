/**
 * Comparison of two Prometheus API answers for the differential test: same status and error
 * type, same result type, same label sets, timestamps equal and values within a tolerance.
 */

/** How values are compared. */
export type Tolerance = { kind: 'relative'; rel: number } | { kind: 'labels-only' };

interface ApiAnswer {
  status: string;
  errorType?: string;
  error?: string;
  data?: { resultType: string; result: unknown };
}

type Point = [number, string];
interface SeriesJson {
  metric: Record<string, string>;
  value?: Point;
  values?: Point[];
}

function key(metric: Record<string, string>): string {
  return JSON.stringify(Object.entries(metric).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** Whether two sample strings agree within `rel` (NaN = NaN, ±Inf exact). */
export function valuesAgree(a: string, b: string, rel: number): boolean {
  if (a === b) return true;
  const x = Number(a.replace('+Inf', 'Infinity').replace('-Inf', '-Infinity'));
  const y = Number(b.replace('+Inf', 'Infinity').replace('-Inf', '-Infinity'));
  if (Number.isNaN(x) || Number.isNaN(y)) return Number.isNaN(x) && Number.isNaN(y);
  if (!Number.isFinite(x) || !Number.isFinite(y)) return x === y;
  return Math.abs(x - y) <= rel * Math.max(Math.abs(x), Math.abs(y));
}

/** Returns a list of differences (empty when the answers agree). */
export function compareAnswers(ref: ApiAnswer, got: ApiAnswer, tol: Tolerance): string[] {
  const diffs: string[] = [];
  if (ref.status !== got.status) return [`status: prometheus ${ref.status} (${ref.error ?? ''}), baton ${got.status} (${got.error ?? ''})`];
  if (ref.status === 'error') {
    if (ref.errorType !== got.errorType) diffs.push(`errorType: prometheus ${ref.errorType}, baton ${got.errorType}`);
    return diffs;
  }
  const rt = ref.data?.resultType;
  if (rt !== got.data?.resultType) return [`resultType: prometheus ${rt}, baton ${got.data?.resultType}`];
  const cmpPoint = (where: string, p: Point, q: Point): void => {
    if (p[0] !== q[0]) diffs.push(`${where}: timestamp ${p[0]} vs ${q[0]}`);
    if (tol.kind === 'relative' && !valuesAgree(p[1], q[1], tol.rel)) diffs.push(`${where}: value prometheus ${p[1]}, baton ${q[1]}`);
  };
  if (rt === 'scalar' || rt === 'string') {
    const p = ref.data?.result as Point;
    const q = got.data?.result as Point;
    if (rt === 'string') {
      if (p[0] !== q[0] || p[1] !== q[1]) diffs.push(`string: ${JSON.stringify(p)} vs ${JSON.stringify(q)}`);
    } else cmpPoint('scalar', p, q);
    return diffs;
  }
  const a = new Map((ref.data?.result as SeriesJson[]).map((s) => [key(s.metric), s]));
  const b = new Map((got.data?.result as SeriesJson[]).map((s) => [key(s.metric), s]));
  for (const k of a.keys()) if (!b.has(k)) diffs.push(`missing in baton: ${k}`);
  for (const k of b.keys()) if (!a.has(k)) diffs.push(`extra in baton: ${k}`);
  for (const [k, s] of a) {
    const t = b.get(k);
    if (!t) continue;
    if (s.value && t.value) cmpPoint(k, s.value, t.value);
    if (s.values && t.values) {
      if (s.values.length !== t.values.length) diffs.push(`${k}: ${s.values.length} points vs ${t.values.length}`);
      else s.values.forEach((p, i) => cmpPoint(`${k}[${i}]`, p, t.values?.[i] as Point));
    }
  }
  return diffs;
}
