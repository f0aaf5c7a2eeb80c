/**
 * Label sets as Prometheus models them (model/labels): sorted by name, no empty values, the
 * metric name kept under `__name__`.
 */

/** One label. */
export interface Label {
  readonly name: string;
  readonly value: string;
}

/** A label set sorted by name; never contains empty values. */
export type Labels = readonly Label[];

/** The metric name label. */
export const METRIC_NAME = '__name__';

const SEP = '\xff';

// Label sets are immutable and shared (series labels, and derived sets cached below), so
// derived values are memoized per object: range queries ask for them once per step.
const keyCache = new WeakMap<Labels, string>();
const withoutNameCache = new WeakMap<Labels, Labels>();

/** A string that identifies the label set (names and values cannot contain 0xff in practice). */
export function labelsKey(ls: Labels): string {
  const cached = keyCache.get(ls);
  if (cached !== undefined) return cached;
  // Joined, not concatenated: `+=` builds a rope of one node per piece, and the key of every
  // stored series is kept for its lifetime.
  const parts: string[] = [];
  for (const l of ls) parts.push(l.name, l.value);
  const s = parts.length === 0 ? '' : parts.join(SEP) + SEP;
  keyCache.set(ls, s);
  return s;
}

/** Builds a sorted label set from a record, dropping empty values. */
export function labelsFromRecord(rec: Record<string, string>): Labels {
  const out: Label[] = [];
  for (const [name, value] of Object.entries(rec)) if (value !== '') out.push({ name, value });
  return sortLabels(out);
}

/** The label set as a plain record (for JSON output). */
export function labelsToRecord(ls: Labels): Record<string, string> {
  const rec: Record<string, string> = {};
  for (const l of ls) rec[l.name] = l.value;
  return rec;
}

/** Sorts in place by name and returns the same array. */
export function sortLabels(ls: Label[]): Label[] {
  return ls.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The value of `name`, or '' when absent (as Prometheus' labels.Get). */
export function getLabel(ls: Labels, name: string): string {
  for (const l of ls) if (l.name === name) return l.value;
  return '';
}

/** A copy without the given names. */
export function dropLabels(ls: Labels, names: readonly string[]): Labels {
  return ls.filter((l) => !names.includes(l.name));
}

/** A copy with only the given names. */
export function keepLabels(ls: Labels, names: readonly string[]): Labels {
  return ls.filter((l) => names.includes(l.name));
}

/** A copy without `__name__` (the same object each time for the same input). */
export function dropMetricName(ls: Labels): Labels {
  if (!ls.some((l) => l.name === METRIC_NAME)) return ls;
  let out = withoutNameCache.get(ls);
  if (!out) withoutNameCache.set(ls, (out = ls.filter((l) => l.name !== METRIC_NAME)));
  return out;
}

/** A copy with `name` set to `value` (deleted when `value` is empty). */
export function setLabel(ls: Labels, name: string, value: string): Labels {
  const out = ls.filter((l) => l.name !== name);
  if (value !== '') out.push({ name, value });
  return sortLabels(out);
}

/** Prints a label set as Prometheus does in error messages: `{a="b", c="d"}`. */
export function formatLabels(ls: Labels): string {
  return `{${ls.map((l) => `${l.name}=${JSON.stringify(l.value)}`).join(', ')}}`;
}

/** A label name as Prometheus accepts it (model.LabelName.IsValid in UTF-8-less 2.x). */
export function isValidLabelName(name: string): boolean {
  return /^[a-zA-Z_][a-zA-Z0-9_]*$/.test(name);
}
