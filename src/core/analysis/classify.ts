/**
 * One provider result -> one measurement phase, as Argo's `EvaluateResult`
 * (`utils/evaluate/evaluate.go`) decides it:
 *
 *   neither condition      -> Successful
 *   only successCondition  -> true: Successful, false: Failed
 *   only failureCondition  -> true: Failed, false: Successful
 *   both                   -> failure true: Failed (wins); success true: Successful; else Inconclusive
 *
 * A condition that does not compile, fails at run time or gives a non-boolean, and a provider
 * error, all make the measurement Error with the message. Job results are not evaluated; a
 * value with the provider's own phase (judge, sequential) takes that phase when no condition
 * is written.
 */
import { compileCondition, evaluateCondition, ExprSyntaxError, type CompiledExpr } from '../expr/index.js';
import type { ProviderResult } from './provider-result.js';
import type { AnalysisRunPhase, ResolvedMetric } from './types.js';

/** The Error message for a condition that indexes an empty result. */
export const NO_DATA_MESSAGE = 'no data returned';

/** The outcome of one measurement, before times are attached. */
export interface Classification {
  phase: Extract<AnalysisRunPhase, 'Successful' | 'Failed' | 'Inconclusive' | 'Error'>;
  value?: string;
  message?: string;
  metadata?: Record<string, string>;
}

/**
 * Compiled conditions by source: a template's condition is parsed once and evaluated per
 * measurement. A condition that does not compile is cached as its error.
 */
const compiled = new Map<string, CompiledExpr | Error>();

function compile(source: string): CompiledExpr {
  let entry = compiled.get(source);
  if (entry === undefined) {
    try {
      // Against Argo's env, as expr.Compile(condition, expr.Env(env)): unknown names fail here.
      entry = compileCondition(source);
    } catch (err) {
      entry = err instanceof Error ? err : new Error(String(err));
    }
    compiled.set(source, entry);
  }
  if (entry instanceof Error) throw entry;
  return entry;
}

/**
 * Argo's EvalCondition (type-checked for the result's Go type, then evaluated; a non-boolean is
 * `expected bool, but got float64`). Throws; the message becomes the measurement's.
 */
function evalCondition(source: string, value: unknown): boolean {
  return evaluateCondition(compile(source), value);
}

/** The phase `successCondition` / `failureCondition` give `value` (see the table above). */
export function evaluateConditions(
  metric: Pick<ResolvedMetric, 'successCondition' | 'failureCondition'>,
  value: unknown,
): { phase: Classification['phase']; message?: string } {
  const { successCondition, failureCondition } = metric;
  if (!successCondition && !failureCondition) return { phase: 'Successful' };
  let success = false;
  let failure = false;
  try {
    // Argo evaluates the success condition first; its error is the one reported.
    if (successCondition) success = evalCondition(successCondition, value);
    if (failureCondition) failure = evalCondition(failureCondition, value);
  } catch (err) {
    // expr recovers panics into errors (Argo's asInt("x") panics too): every failure here is
    // data for the limits, not a crash of the engine.
    // Argo strips expr's `(line:column)` from compile errors (evaluate.go, unwrapFileErr).
    const message = err instanceof ExprSyntaxError ? err.reason : err instanceof Error ? err.message : String(err);
    return { phase: 'Error', message };
  }
  if (!failureCondition) failure = !success;
  else if (!successCondition) success = !failure;
  if (failure) return { phase: 'Failed' };
  if (!success) return { phase: 'Inconclusive' };
  return { phase: 'Successful' };
}

/** One provider result classified for `metric`: phase, stored value, message, metadata. */
export function classifyResult(
  metric: Pick<ResolvedMetric, 'successCondition' | 'failureCondition'>,
  result: ProviderResult,
): Classification {
  switch (result.kind) {
    case 'error':
      return { phase: 'Error', message: result.message };
    case 'job':
      return result.message === undefined ? { phase: result.phase } : { phase: result.phase, message: result.message };
    case 'value': {
      const unconditioned = !metric.successCondition && !metric.failureCondition;
      const verdict = unconditioned && result.phase ? { phase: result.phase } : evaluateConditions(metric, result.value);
      // A query that matched nothing (Prometheus' empty vector) fails the condition's `result[0]`:
      // argo-semantics.md words that Error "no data returned", not as an index error.
      if (verdict.phase === 'Error' && Array.isArray(result.value) && result.value.length === 0) verdict.message = NO_DATA_MESSAGE;
      // Argo's providers store the value only when the evaluation succeeded: on an error they
      // return MarkMeasurementError(newMeasurement, err) before `newMeasurement.Value = newValue`
      // (metricproviders/prometheus/prometheus.go Run, web/web.go Run).
      const out: Classification = verdict.phase === 'Error' ? { phase: 'Error' } : { phase: verdict.phase, value: result.display };
      if (verdict.message !== undefined) out.message = verdict.message;
      if (result.metadata !== undefined) out.metadata = { ...result.metadata };
      return out;
    }
    default: {
      const never: never = result;
      return never;
    }
  }
}
