/** Request framing, family 5: bodies on every method, and pipelining: the cases of `cases/methods.ts`, each on its own gateway and recording upstream. */
import { describe, it } from 'vitest';
import { runCase } from './support.js';
import { methodCases } from './cases/methods.js';

describe('request framing: bodies on every method, and pipelining', () => {
  it.each(methodCases.map((c) => [c.name, c] as const))('%s', (_name, c) => runCase(c));
});
