/** The `job` metric provider: the Job's first container as a local process. */
export { createJobProvider, type JobProviderOptions } from './job-provider.js';
export { runProcess, timerDelay, OUTPUT_LIMIT_BYTES, type ProcessOutcome, type RunProcessOptions } from './run-process.js';
