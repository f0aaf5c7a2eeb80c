/** Request framing, family 4: the chunked coding: the cases of `cases/chunked.ts`, each on its own gateway and recording upstream. */
import { describe, it } from 'vitest';
import { runCase } from './support.js';
import { chunkedCases } from './cases/chunked.js';

describe('request framing: chunked bodies', () => {
  it.each(chunkedCases.map((c) => [c.name, c] as const))('%s', (_name, c) => runCase(c));
});
