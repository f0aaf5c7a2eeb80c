/**
 * The embedded Prometheus core: PromQL parsing and evaluation with Prometheus 2.42 semantics,
 * the in-memory store, the text exposition format and scrape appends. Pure: time is passed in.
 */
export type { Expr, ValueType, Matcher } from './ast.js';
export { parsePromQL } from './parse.js';
export { PromQLParseError, PromQLExecError, PromQLTimeoutError, type PromErrorType } from './errors.js';
export { MemoryStorage, type StorageOptions, type StorageStats, type StorageAppendOutcome } from './storage.js';
export { evalInstant, evalRange, checkRangeQueryType, Evaluator, type EvalOptions, type RangeResult } from './eval/engine.js';
export type { Value, Sample, RangeSeries, MatrixValue, VectorValue, ScalarValue, StringValue } from './values.js';
export { parseExposition, ExpositionParseError, type ExposedSample, type Exposition } from './exposition.js';
export { appendScrape, appendEndOfRunStaleness, mergeTargetLabels, newScrapeState, type ScrapeState, type ScrapeOutcome, type AppendReport } from './scrape-append.js';
export { labelsFromRecord, labelsToRecord, labelsKey, type Label, type Labels } from './labels.js';
export { formatGoFloat, parseGoFloat } from './go-float.js';
export { parsePromDuration } from './literals.js';
