import { describe, expect, it } from 'vitest';
import { formatDuration, parseDurationOrSeconds, parseGoDuration } from './duration.js';

describe('parseGoDuration', () => {
  it.each([
    ['30s', 30_000],
    ['1m30s', 90_000],
    ['1h', 3_600_000],
    ['1.5h', 5_400_000],
    ['250ms', 250],
    ['0', 0],
    ['0s', 0],
    ['2h45m', 9_900_000],
  ])('%s -> %d ms', (text, ms) => expect(parseGoDuration(text)).toBe(ms));

  it.each(['30x', '', 's', '1m30', '10 s', 'abc', '30'])('rejects %j', (text) => {
    expect(parseGoDuration(text)).toBeUndefined();
  });
});

describe('parseDurationOrSeconds', () => {
  it('takes integers and numeric strings as seconds', () => {
    expect(parseDurationOrSeconds(30)).toBe(30_000);
    expect(parseDurationOrSeconds('45')).toBe(45_000);
    expect(parseDurationOrSeconds('1m')).toBe(60_000);
  });
  it('rejects bad units and negatives', () => {
    expect(parseDurationOrSeconds('30x')).toBeUndefined();
    expect(parseDurationOrSeconds(-1)).toBeUndefined();
    expect(parseDurationOrSeconds('-5s')).toBeUndefined();
  });
});

describe('formatDuration', () => {
  it('prints as Go does', () => {
    expect(formatDuration(90_000)).toBe('1m30s');
    expect(formatDuration(3_600_000)).toBe('1h0m0s');
    expect(formatDuration(5_000)).toBe('5s');
  });
});
