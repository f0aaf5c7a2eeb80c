/**
 * One release's story from the controller's events: the canary weight over time, the
 * decisions taken along the way (pauses, aborts, promotions, analysis verdicts, people's
 * actions), and the reason given for every pause and abort. Times are wall-clock (`wallAt`),
 * as the page's own clock is. Pure, so it is unit-tested (test/dashboard/release.test.ts).
 */
import type { EventView } from '../../../src/api/types.js';

export interface WeightPoint {
  /** Wall-clock epoch ms. */
  at: number;
  /** Canary weight, 0..100. */
  weight: number;
}

export type DecisionKind = 'pause' | 'resume' | 'abort' | 'promote' | 'retry' | 'analysis-failed' | 'analysis-inconclusive' | 'action';

export interface Decision {
  at: number;
  kind: DecisionKind;
  /** Short text for the chart's marker and its text alternative. */
  label: string;
  /** The event's full message (reason of a pause, message of an abort). */
  detail: string;
  eventId: number;
}

/** When an event happened on the wall clock (`wallAt`; the engine's `at` when the server gave none). */
export const wallTime = (e: EventView): number => e.wallAt ?? e.at;

const str = (v: unknown): string => (typeof v === 'string' ? v : v === undefined ? '' : JSON.stringify(v));

/**
 * The events of the latest release: from the last `RevisionCreated` on (a new revision starts
 * a release), or all of them when there is none among the events read.
 */
export function latestRelease(events: readonly EventView[]): EventView[] {
  let start = 0;
  events.forEach((e, i) => {
    if (e.type === 'RevisionCreated') start = i;
  });
  return events.slice(start);
}

/**
 * The canary weight as a step line: one point per `WeightChanged`, the weight before the first
 * one (`initial`, the weight when the release began: 0) at the first event, and the current
 * weight carried on to `now` so the line reaches the present while nothing changes.
 */
export function weightSeries(events: readonly EventView[], now: number, current: number): WeightPoint[] {
  const out: WeightPoint[] = [];
  const first = events[0];
  for (const e of events) {
    if (e.type !== 'WeightChanged') continue;
    const w = Number(e.fields.canary);
    if (!Number.isFinite(w)) continue;
    if (out.length === 0 && first && wallTime(first) < wallTime(e)) out.push({ at: wallTime(first), weight: 0 });
    out.push({ at: wallTime(e), weight: w });
  }
  const last = out[out.length - 1];
  if (!last) return first ? [{ at: wallTime(first), weight: current }, { at: Math.max(now, wallTime(first)), weight: current }] : [];
  if (now > last.at) out.push({ at: now, weight: last.weight });
  return out;
}

/** The decisions among `events`, in order, each with what it was and why. */
export function decisions(events: readonly EventView[]): Decision[] {
  const out: Decision[] = [];
  for (const e of events) {
    const d = decisionOf(e);
    if (d) out.push({ at: wallTime(e), eventId: e.id, ...d });
  }
  return out;
}

function decisionOf(e: EventView): Omit<Decision, 'at' | 'eventId'> | undefined {
  const f = e.fields;
  switch (e.type) {
    case 'Paused':
      return { kind: 'pause', label: 'Paused', detail: str(f.reason) || e.message };
    case 'Resumed':
      return { kind: 'resume', label: 'Resumed', detail: e.message };
    case 'Aborted':
      return { kind: 'abort', label: 'Aborted', detail: str(f.message) || e.message };
    case 'Promoted':
      return { kind: 'promote', label: 'Promoted', detail: str(f.reason) || e.message };
    case 'Retried':
      return { kind: 'retry', label: 'Retried', detail: e.message };
    case 'AnalysisRunCompleted':
      if (f.phase === 'Failed' || f.phase === 'Error') return { kind: 'analysis-failed', label: `Analysis ${str(f.phase)}`, detail: str(f.message) || e.message };
      if (f.phase === 'Inconclusive') return { kind: 'analysis-inconclusive', label: 'Analysis Inconclusive', detail: str(f.message) || e.message };
      return undefined;
    case 'Action':
      return { kind: 'action', label: `${capitalize(str(f.action))} (by a person)`, detail: e.message };
    default:
      return undefined;
  }
}

const capitalize = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

/** Every pause and abort with its reason, newest first (the rollout page's "why" list). */
export function pauseAndAbortReasons(events: readonly EventView[]): Decision[] {
  return decisions(events)
    .filter((d) => d.kind === 'pause' || d.kind === 'abort')
    .reverse();
}

/**
 * Merges newly streamed events into those already held: by id, in id order, without
 * duplicates (a reconnect may send again what was read), keeping at most `max` (the newest).
 */
export function mergeEvents(held: readonly EventView[], incoming: readonly EventView[], max = 5000): EventView[] {
  if (incoming.length === 0) return held as EventView[];
  const lastHeld = held.length ? (held[held.length - 1] as EventView).id : -1;
  const fresh = incoming.filter((e) => e.id > lastHeld);
  const merged = fresh.length === incoming.length && (incoming.length < 2 || isSorted(incoming)) ? [...held, ...fresh] : dedupe([...held, ...incoming]);
  return merged.length > max ? merged.slice(merged.length - max) : merged;
}

function isSorted(list: readonly EventView[]): boolean {
  for (let i = 1; i < list.length; i++) if ((list[i] as EventView).id <= (list[i - 1] as EventView).id) return false;
  return true;
}

function dedupe(list: EventView[]): EventView[] {
  const byId = new Map<number, EventView>();
  for (const e of list) byId.set(e.id, e);
  return [...byId.values()].sort((a, b) => a.id - b.id);
}
