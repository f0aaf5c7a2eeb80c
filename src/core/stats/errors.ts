/**
 * Errors of the statistics core: bad input (a sample that is empty where one is needed, a
 * confidence level outside (0, 1), a negative count). Each carries a stable `code` and names
 * the offending input, so callers map it to a measurement Error or a lint message.
 */

/** Stable codes of {@link StatsInputError}. */
export type StatsErrorCode = 'stats-invalid-input' | 'stats-not-enough-data';

/** Input the statistics core cannot work with. */
export class StatsInputError extends Error {
  readonly code: StatsErrorCode;
  /** The input at fault, e.g. `confLevel` or `canary.errors`. */
  readonly input: string;

  constructor(code: StatsErrorCode, input: string, message: string) {
    super(`${input}: ${message}`);
    this.name = 'StatsInputError';
    this.code = code;
    this.input = input;
  }
}

/** Throws unless `value` is a finite number strictly between 0 and 1. */
export function requireProbability(input: string, value: number): void {
  if (!(Number.isFinite(value) && value > 0 && value < 1)) {
    throw new StatsInputError('stats-invalid-input', input, `${String(value)} is not a probability strictly between 0 and 1`);
  }
}

/** Throws unless `value` is a whole number >= 0. */
export function requireCount(input: string, value: number): void {
  if (!(Number.isInteger(value) && value >= 0)) {
    throw new StatsInputError('stats-invalid-input', input, `${String(value)} is not a count (a whole number >= 0)`);
  }
}
