/** Request framing, family 1: Content-Length, CL.TE and TE.CL: the cases of `cases/content-length.ts`, each on its own gateway and recording upstream. */
import { describe, it } from 'vitest';
import { runCase } from './support.js';
import { contentLengthCases } from './cases/content-length.js';

describe('request framing: Content-Length, CL.TE and TE.CL', () => {
  it.each(contentLengthCases.map((c) => [c.name, c] as const))('%s', (_name, c) => runCase(c));
});
