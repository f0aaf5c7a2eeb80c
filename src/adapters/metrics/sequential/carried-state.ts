/**
 * The sequential provider's state between measurements, kept as one JSON string in the
 * measurement's metadata (`sequential.state`) so it is stored with the AnalysisRun and
 * survives a restart: per test, the raw counters last read (to turn cumulative counters into
 * per-measurement blocks, across counter resets) and the test's state. Anything unreadable
 * starts the test afresh: it loses evidence, never validity.
 */
import type { CountTestState, GroupCounts } from '../../../core/stats/sequential-counts.js';

/** Metadata key of the carried state. */
export const STATE_KEY = 'sequential.state';

/** One test's carried state. */
export interface CarriedTest {
  raw: { canary: GroupCounts; baseline: GroupCounts };
  state: CountTestState;
}

/** All tests' carried state, by test name. */
export type CarriedState = Record<string, CarriedTest>;

const isCounts = (v: unknown): v is GroupCounts =>
  typeof v === 'object' && v !== null && Number.isFinite((v as GroupCounts).events) && Number.isFinite((v as GroupCounts).total);

function isTest(v: unknown, gridSize: number): v is CarriedTest {
  if (typeof v !== 'object' || v === null) return false;
  const t = v as CarriedTest;
  return (
    isCounts(t.raw?.canary) &&
    isCounts(t.raw?.baseline) &&
    Array.isArray(t.state?.logLr) &&
    t.state.logLr.length === gridSize &&
    t.state.logLr.every((x) => typeof x === 'number') &&
    isCounts(t.state.canary) &&
    isCounts(t.state.baseline) &&
    Number.isInteger(t.state.blocks)
  );
}

/** The carried state in `metadata`, keeping only well-formed tests. */
export function readCarriedState(metadata: Record<string, string> | undefined, gridSize: number): CarriedState {
  const text = metadata?.[STATE_KEY];
  if (!text) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return {};
  }
  const out: CarriedState = {};
  if (typeof parsed !== 'object' || parsed === null) return out;
  for (const [name, v] of Object.entries(parsed as Record<string, unknown>)) if (isTest(v, gridSize)) out[name] = v;
  return out;
}

/**
 * Counts since the last read of a cumulative counter: the difference, or the new value when
 * the counter went back (a restarted process starts its counters at 0, as Prometheus' rate()
 * assumes).
 */
export function increment(now: number, before: number): number {
  return now >= before ? now - before : now;
}
