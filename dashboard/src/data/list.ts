/**
 * The workload list's data: filtering by name and phase, a stable order, and the text of each
 * column. Pure (no DOM), so it is unit-tested beside the server code (test/dashboard).
 */
import type { WorkloadSummary } from '../../../src/api/types.js';

export interface ListFilter {
  /** Part of `namespace/name`, any case; empty matches all. */
  text: string;
  /** One phase (`Healthy`, `Progressing`, `Paused`, `Degraded`), or empty for all. */
  phase: string;
}

/** The workloads the filter keeps, sorted by namespace then name (the order never jumps as data arrives). */
export function filterWorkloads(list: readonly WorkloadSummary[], f: ListFilter): WorkloadSummary[] {
  const needle = f.text.trim().toLowerCase();
  return list
    .filter((w) => (f.phase === '' || w.phase === f.phase) && (needle === '' || `${w.namespace}/${w.name}`.toLowerCase().includes(needle)))
    .sort(byNamespaceAndName);
}

export function byNamespaceAndName(a: WorkloadSummary, b: WorkloadSummary): number {
  return a.namespace < b.namespace ? -1 : a.namespace > b.namespace ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** How many workloads are in each phase, the known phases first, in a fixed order. */
export function phaseCounts(list: readonly WorkloadSummary[]): [phase: string, count: number][] {
  const counts = new Map<string, number>(PHASES.map((p) => [p, 0]));
  for (const w of list) counts.set(w.phase, (counts.get(w.phase) ?? 0) + 1);
  return [...counts.entries()];
}

/** The phases of Rollouts and Deployments (src/api/types.ts WorkloadSummary.phase). */
export const PHASES = ['Healthy', 'Progressing', 'Paused', 'Degraded'] as const;

/** The revisions column: `v1` when one runs, `v1 → v2` while a new one rolls out. */
export function revisionsText(w: Pick<WorkloadSummary, 'stableImage' | 'currentImage'>): string {
  const tag = (image: string | undefined): string => (image === undefined ? '—' : (/:([^:/]+)$/.exec(image)?.[1] ?? image));
  if (w.stableImage === w.currentImage || w.currentImage === undefined) return tag(w.stableImage);
  return `${tag(w.stableImage)} → ${tag(w.currentImage)}`;
}

/** The step column: `3/9` for a canary, `—` when the strategy has no steps. */
export function stepText(w: Pick<WorkloadSummary, 'step'>): string {
  return w.step ?? '—';
}

/**
 * A duration as a person reads an age: the largest unit, whole (`45s`, `12m`, `3h`, `5d`).
 * Negative durations (a clock a little ahead) read as `0s`.
 */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h`;
  return `${Math.floor(h / 24)}d`;
}

/** The age column: since the oldest revision kept, or `—` when unknown. */
export function ageText(w: Pick<WorkloadSummary, 'createdAt'>, now: number): string {
  return w.createdAt === undefined ? '—' : formatAge(now - w.createdAt);
}
