import { describe, expect, it } from 'vitest';
import { formatAge, formatTable, formatTimestamp, phaseIcon, plural } from './text.js';

describe('formatAge (kubectl HumanDuration)', () => {
  it.each([
    [0, '0s'],
    [-5_000, '0s'],
    [119_999, '119s'],
    [120_000, '2m'],
    [200_000, '3m20s'],
    [600_000, '10m'],
    [179 * 60_000, '179m'],
    [3 * 3_600_000 + 10 * 60_000, '3h10m'],
    [8 * 3_600_000, '8h'],
    [47 * 3_600_000, '47h'],
    [76 * 3_600_000, '3d4h'],
    [9 * 86_400_000, '9d'],
  ])('%d ms -> %s', (ms, text) => {
    expect(formatAge(ms)).toBe(text);
  });
});

describe('formatTable', () => {
  it('pads to the widest cell counting icons as one column, three spaces apart, trailing spaces trimmed', () => {
    expect(formatTable(['NAME', 'STATUS', 'INFO'], [['a', '✔ Healthy', ''], ['longer-name', '॥ Paused', 'x']])).toBe('NAME          STATUS      INFO\na             ✔ Healthy\nlonger-name   ॥ Paused    x\n');
  });
});

describe('formatTimestamp and phaseIcon', () => {
  it('prints UTC to the second and Argo icons by phase', () => {
    expect(formatTimestamp(Date.UTC(2026, 0, 2, 3, 4, 5, 678))).toBe('2026-01-02T03:04:05Z');
    expect(formatTimestamp(Number.NaN)).toBe('-');
    expect(['Healthy', 'Paused', 'Progressing', 'Degraded', 'Error', 'ScaledDown', 'Whatever'].map(phaseIcon)).toEqual(['✔', '॥', '◌', '✖', '⚠', '•', '?']);
  });
});

describe('plural', () => {
  it.each([
    [0, '0 errors'],
    [1, '1 error'],
    [2, '2 errors'],
  ])('%i -> %s', (n, text) => {
    expect(plural(n, 'error')).toBe(text);
  });
});
