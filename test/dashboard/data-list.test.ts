/** The dashboard's list data: filter by name and phase, a stable order, the column texts. */
import { describe, expect, it } from 'vitest';
import { ageText, filterWorkloads, formatAge, phaseCounts, revisionsText } from '../../dashboard/src/data/list.js';
import type { WorkloadSummary } from '../../src/api/types.js';

const w = (name: string, phase: string, extra: Partial<WorkloadSummary> = {}): WorkloadSummary => ({
  kind: 'Rollout', name, namespace: 'default', phase, message: '', strategy: 'canary', canaryWeight: 0, desired: 2, current: 2, updated: 2, ready: 2, available: 2, ...extra,
});

describe('filterWorkloads', () => {
  const list = [w('web', 'Healthy'), w('api', 'Progressing'), w('web-admin', 'Degraded', { namespace: 'ops' }), w('worker', 'Paused')];
  it('keeps the names containing the text, any case, sorted by namespace then name', () => {
    expect(filterWorkloads(list, { text: 'WEB', phase: '' }).map((x) => `${x.namespace}/${x.name}`)).toEqual(['default/web', 'ops/web-admin']);
  });
  it('matches namespace/name, and filters by phase', () => {
    expect(filterWorkloads(list, { text: 'ops/', phase: '' }).map((x) => x.name)).toEqual(['web-admin']);
    expect(filterWorkloads(list, { text: '', phase: 'Paused' }).map((x) => x.name)).toEqual(['worker']);
    expect(filterWorkloads(list, { text: 'web', phase: 'Healthy' }).map((x) => x.name)).toEqual(['web']);
  });
  it('with no filter, returns all of them in order and leaves the input alone', () => {
    const before = list.map((x) => x.name);
    expect(filterWorkloads(list, { text: ' ', phase: '' }).map((x) => x.name)).toEqual(['api', 'web', 'worker', 'web-admin']);
    expect(list.map((x) => x.name)).toEqual(before);
  });
  it('filters 200 workloads by both at once', () => {
    const many = Array.from({ length: 200 }, (_, i) => w(`svc-${String(i).padStart(3, '0')}`, i % 7 === 0 ? 'Degraded' : 'Healthy'));
    // svc-100 .. svc-199, less the 14 multiples of 7 among them (105 .. 196).
    const kept = filterWorkloads(many, { text: 'svc-1', phase: 'Healthy' });
    expect(kept).toHaveLength(86);
    expect(kept[0]?.name).toBe('svc-100');
    expect(kept.map((x) => x.name)).not.toContain('svc-105');
  });
});

describe('columns', () => {
  it('counts phases, the known ones first even when none is in them', () => {
    expect(phaseCounts([w('a', 'Healthy'), w('b', 'Healthy'), w('c', 'Unknown')])).toEqual([['Healthy', 2], ['Progressing', 0], ['Paused', 0], ['Degraded', 0], ['Unknown', 1]]);
  });
  it('shows the revisions by image tag', () => {
    expect(revisionsText({ stableImage: 'tbyte/frontend:v1', currentImage: 'tbyte/frontend:v2' })).toBe('v1 → v2');
    expect(revisionsText({ stableImage: 'tbyte/frontend:v1', currentImage: 'tbyte/frontend:v1' })).toBe('v1');
    expect(revisionsText({ stableImage: 'registry:5000/app', currentImage: undefined })).toBe('registry:5000/app');
    expect(revisionsText({})).toBe('—');
  });
  it('writes an age in its largest whole unit', () => {
    expect(formatAge(-5)).toBe('0s');
    expect(formatAge(59_999)).toBe('59s');
    expect(formatAge(60_000)).toBe('1m');
    expect(formatAge(3 * 3600_000 + 59 * 60_000)).toBe('3h');
    expect(formatAge(47 * 3600_000)).toBe('47h');
    expect(formatAge(5 * 86400_000)).toBe('5d');
    expect(ageText({ createdAt: 1_000 }, 61_000)).toBe('1m');
    expect(ageText({}, 61_000)).toBe('—');
  });
});
