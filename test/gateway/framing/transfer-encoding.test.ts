/** Request framing, family 2: Transfer-Encoding and its obfuscations: the cases of `cases/transfer-encoding.ts`, each on its own gateway and recording upstream. */
import { describe, it } from 'vitest';
import { runCase } from './support.js';
import { transferEncodingCases } from './cases/transfer-encoding.js';

describe('request framing: Transfer-Encoding', () => {
  it.each(transferEncodingCases.map((c) => [c.name, c] as const))('%s', (_name, c) => runCase(c));
});
