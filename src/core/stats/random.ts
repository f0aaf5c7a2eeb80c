/**
 * A seeded pseudo-random generator for simulations and property tests (the core never reads
 * an unseeded source): mulberry32, a 32-bit generator with a full 2^32 period, and the few
 * draws the simulations need.
 */

/** A generator of uniform numbers in [0, 1). */
export type Random = () => number;

/** mulberry32 from a 32-bit seed. */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A Binomial(n, p) draw by counting Bernoulli draws (n is small in simulations). */
export function binomialDraw(rand: Random, n: number, p: number): number {
  let k = 0;
  for (let i = 0; i < n; i++) if (rand() < p) k++;
  return k;
}

/** A standard normal draw (Box-Muller). */
export function normalDraw(rand: Random): number {
  const u = 1 - rand();
  const v = rand();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}
