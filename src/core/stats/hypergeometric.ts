/**
 * The conditional distribution of a 2x2 table given its margins: with `rowA` draws of group A
 * and `rowB` of group B, and `events` events in all, the count x of events in A is
 * hypergeometric when both groups have the same event probability, and Fisher's noncentral
 * hypergeometric with odds ratio ψ otherwise:
 *
 *   P(x) ∝ C(rowA, x) C(rowB, events - x) ψ^x,   max(0, events - rowB) <= x <= min(events, rowA).
 *
 * This is the distribution R's fisher.test conditions on (stats/R/fisher.test.R, `dnhyper`).
 */
import { requireCount, StatsInputError } from './errors.js';
import { logChoose } from './special.js';

/** The margins of a 2x2 table of events. */
export interface Margins {
  /** Draws (e.g. requests) of group A. */
  rowA: number;
  /** Draws of group B. */
  rowB: number;
  /** Events (e.g. errors) in both groups together. */
  events: number;
}

/** Support of x and log C(rowA, x) C(rowB, events - x) on it (the central, unnormalized weights). */
export function logCentralWeights(m: Margins): { lo: number; weights: number[] } {
  requireCount('rowA', m.rowA);
  requireCount('rowB', m.rowB);
  requireCount('events', m.events);
  if (m.events > m.rowA + m.rowB) throw new StatsInputError('stats-invalid-input', 'events', `${m.events} events exceed ${m.rowA + m.rowB} draws`);
  const lo = Math.max(0, m.events - m.rowB);
  const hi = Math.min(m.events, m.rowA);
  const weights: number[] = [];
  for (let x = lo; x <= hi; x++) weights.push(logChoose(m.rowA, x) + logChoose(m.rowB, m.events - x));
  return { lo, weights };
}
