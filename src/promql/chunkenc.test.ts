import { describe, expect, it } from 'vitest';
import { countInRange, decodeChunk, floatBits, XorAppender } from './chunkenc.js';
import { seededRandom as rng } from '../core/stats/random.js';

/** A float from its bit pattern. */
function fromBits(hi: number, lo: number): number {
  const u = new Uint32Array([lo, hi]);
  return new Float64Array(u.buffer)[0] as number;
}

function bitsOf(v: number): [number, number] {
  const b = { hi: 0, lo: 0 };
  floatBits(v, b);
  return [b.hi, b.lo];
}

/** Encodes (t, hi, lo) triples, decodes them back, and returns the decoded triples. */
function roundTrip(samples: ReadonlyArray<readonly [number, number, number]>): Array<[number, number, number]> {
  const a = new XorAppender(4);
  for (const [t, hi, lo] of samples) a.append(t, hi, lo);
  const bytes = a.seal();
  const ts = new Float64Array(samples.length);
  const vs = new Float64Array(samples.length);
  const bits = new Uint32Array(vs.buffer);
  const n = decodeChunk(bytes, a.count, -Infinity, ts, bits, 0);
  expect(n).toBe(samples.length);
  return Array.from({ length: n }, (_x, i) => [ts[i] as number, bits[2 * i + 1] as number, bits[2 * i] as number]);
}


describe('XOR chunk encoding', () => {
  it('round-trips special values bit for bit: NaN, stale NaN, ±Inf, -0, extremes', () => {
    const specials = [
      [0x7ff00000, 0x00000002], // Prometheus StaleNaN
      [0x7ff80000, 0x00000001], // Prometheus NormalNaN
      bitsOf(Infinity),
      bitsOf(-Infinity),
      bitsOf(-0),
      bitsOf(0),
      bitsOf(Number.MAX_VALUE),
      bitsOf(Number.MIN_VALUE),
      bitsOf(-Number.MAX_VALUE),
      [0xffffffff, 0xffffffff],
      [0x00000000, 0x00000001],
      [0x80000000, 0x00000000],
      bitsOf(1.5),
      [0x7ff00000, 0x00000002],
    ] as const;
    const samples = specials.map(([hi, lo], i) => [1_700_000_000_000 + i * 15_000, hi, lo] as const);
    expect(roundTrip(samples)).toEqual(samples.map((s) => [...s]));
    // -0 comes back as -0, not 0.
    const [, hi, lo] = roundTrip([[0, ...bitsOf(-0)]])[0]!;
    expect(Object.is(fromBits(hi, lo), -0)).toBe(true);
  });

  it('round-trips timestamps with equal times, regular steps, jitter and huge or negative deltas', () => {
    const v = bitsOf(1);
    const times = [
      -5_000_000_000_000, -5_000_000_000_000, 0, 0, 1, 15_000, 30_000, 45_000, 45_001, 60_001, 60_001 + 8192, 60_001 + 2 * 8192 + 8193,
      200_000, 200_000 + 65_536, 400_000, 400_000 + 524_288, 2_000_000, 2 ** 52, 2 ** 53 - 1,
    ];
    const samples = times.map((t) => [t, ...v] as const);
    expect(roundTrip(samples).map((s) => s[0])).toEqual(times);
  });

  it('covers every delta-of-delta bucket edge', () => {
    const v = bitsOf(0);
    const dods = [0, 1, -1, 8192, -8191, 8193, -8192, 65536, -65535, 65537, -65536, 524288, -524287, 524289, -524288, 1e12];
    const times = [0, 1_000_000_000_000];
    let delta = 1_000_000;
    for (const d of dods) {
      delta += d;
      times.push((times.at(-1) as number) + delta);
    }
    expect(roundTrip(times.map((t) => [t, ...v] as const)).map((s) => s[0])).toEqual(times);
  });

  it('round-trips random values and times, seed by seed', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const r = rng(seed);
      const samples: Array<readonly [number, number, number]> = [];
      let t = Math.floor(r() * 2e12) - 1e12;
      const kind = seed % 4;
      let x = r() * 1000;
      for (let i = 0; i < 1 + Math.floor(r() * 150); i++) {
        t += kind === 0 ? 15_000 : Math.floor(r() * (kind === 1 ? 100 : 1e10));
        // Counters, noisy gauges, raw random bit patterns, and repeats.
        if (kind === 0) x += Math.floor(r() * 10);
        else if (kind === 1) x = r() * 1e6 - 5e5;
        else if (kind === 2) x = fromBits((r() * 4294967296) >>> 0, (r() * 4294967296) >>> 0);
        else if (r() < 0.5) x = Math.round(r() * 3);
        const [hi, lo] = kind === 2 ? [(r() * 4294967296) >>> 0, (r() * 4294967296) >>> 0] : bitsOf(x);
        samples.push([t, hi, lo]);
      }
      expect(roundTrip(samples)).toEqual(samples.map((s) => [...s]));
    }
  });

  it('compresses a regular counter to about two bytes a sample or less', () => {
    const a = new XorAppender();
    for (let i = 0; i < 120; i++) a.append(1_700_000_000_000 + i * 30_000, ...bitsOf(i * 7));
    expect(a.seal().byteLength).toBeLessThan(240);
  });

  it('decodes from a time on and counts samples in a time range', () => {
    const a = new XorAppender();
    for (let i = 0; i < 10; i++) a.append(i * 1000, ...bitsOf(i));
    const bytes = a.seal();
    const ts = new Float64Array(10);
    const vs = new Float64Array(10);
    const n = decodeChunk(bytes, 10, 4500, ts, new Uint32Array(vs.buffer), 0);
    expect(Array.from(ts.subarray(0, n))).toEqual([5000, 6000, 7000, 8000, 9000]);
    expect(Array.from(vs.subarray(0, n))).toEqual([5, 6, 7, 8, 9]);
    expect(countInRange(bytes, 10, 2000, 6000)).toBe(4);
    expect(countInRange(bytes, 10, -Infinity, Infinity)).toBe(10);
    // A count beyond the bytes written is a corrupt chunk, not a silent wrong answer.
    expect(() => decodeChunk(bytes, 100, -Infinity, new Float64Array(100), new Uint32Array(200), 0)).toThrow(/chunk ended early/);
  });
});
