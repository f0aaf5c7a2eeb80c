/**
 * What a metric provider hands back for one measurement. A failed query is data, not an
 * exception (Argo's `MarkMeasurementError`): it becomes `{kind: 'error'}` and the limits decide.
 */
export type ProviderResult =
  /**
   * A value for the conditions: a number (Prometheus scalar), number[] (instant vector, or a
   * range query flattened), or any JSON value (web provider). `display` is the value as Argo
   * stores it in `measurement.value`, e.g. `[0.99]` or `0.5`.
   */
  | {
      kind: 'value';
      value: unknown;
      display: string;
      metadata?: Record<string, string>;
      /**
       * The phase the provider itself judged (judge, sequential), used when the metric writes
       * no condition, as Argo's kayenta provider sets its phase from the score thresholds.
       */
      phase?: 'Successful' | 'Failed' | 'Inconclusive';
    }
  | { kind: 'error'; message: string }
  /** Job provider: conditions are not evaluated; terminated -> Inconclusive. */
  | { kind: 'job'; phase: 'Successful' | 'Failed' | 'Inconclusive'; message?: string };
