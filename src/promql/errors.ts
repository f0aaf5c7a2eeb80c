/**
 * PromQL errors, typed by the `errorType` the Prometheus HTTP API reports for them
 * (web/api/v1/api.go: `bad_data` for parse and type errors, `execution` for evaluation
 * errors, `timeout` when the query ran out of time).
 */
import { BatonError } from '../core/errors.js';

/** The Prometheus API error types this engine can produce. */
export type PromErrorType = 'bad_data' | 'execution' | 'timeout' | 'unavailable' | 'internal';

/** A query that does not parse or type-check, or uses a construct this engine does not support. */
export class PromQLParseError extends BatonError {
  readonly errorType: PromErrorType = 'bad_data';
  constructor(message: string, readonly query: string) {
    super('promql_parse', message, { query });
  }
}

/** A query that parsed but failed while evaluating (e.g. duplicate label sets). */
export class PromQLExecError extends BatonError {
  readonly errorType: PromErrorType = 'execution';
  constructor(message: string) {
    super('promql_execution', message);
  }
}

/** The query ran past its timeout. */
export class PromQLTimeoutError extends BatonError {
  readonly errorType: PromErrorType = 'timeout';
  constructor(message: string) {
    super('promql_timeout', message);
  }
}
