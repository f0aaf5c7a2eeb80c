/** Request framing, family 3: the grammar of the head: the cases of `cases/head-syntax.ts`, each on its own gateway and recording upstream. */
import { describe, it } from 'vitest';
import { runCase } from './support.js';
import { headSyntaxCases } from './cases/head-syntax.js';

describe('request framing: the head', () => {
  it.each(headSyntaxCases.map((c) => [c.name, c] as const))('%s', (_name, c) => runCase(c));
});

