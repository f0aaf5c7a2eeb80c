/**
 * The contract every MetricsProvider keeps, run against each adapter and the fakes:
 * - a good measurement resolves a result, and a value carries its display string;
 * - a failing measurement resolves (an Error, or a Failed job), it never rejects;
 * - an already-aborted signal is honoured: the call resolves promptly, without a success;
 * - aborting a measurement in flight ends it promptly, without a success (when the subject has
 *   a spec that hangs).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProviderResult } from '../../../src/core/analysis/provider-result.js';
import type { MetricProviderSpec } from '../../../src/core/spec/types.js';
import type { MeasureContext, MetricsProvider } from '../../../src/ports/metrics-provider.js';

export interface ContractSubject {
  provider: MetricsProvider;
  /** Measures successfully. */
  good: MetricProviderSpec;
  /** Fails (unreachable, bad query, exit 1, ...). */
  failing: MetricProviderSpec;
  /** Does not finish on its own within a few seconds; omitted for providers that cannot hang. */
  hanging?: MetricProviderSpec;
  /** Resolves once a hanging measurement is under way (connection accepted, process started). */
  hangingStarted?: () => Promise<void>;
  /** Metric name the subject expects (scripted/fake providers key on it). */
  metricName?: (kind: 'good' | 'failing' | 'hanging' | 'aborted') => string;
  /** Prepares a fake/scripted provider for the next call of that kind. */
  before?: (kind: 'good' | 'failing' | 'hanging' | 'aborted') => void;
  cleanup?: () => Promise<void>;
}

/** How long "promptly" is: well under any provider timeout used in the subjects. */
export const PROMPT_MS = 3_000;

function isSuccess(r: ProviderResult): boolean {
  return r.kind === 'value' || (r.kind === 'job' && r.phase === 'Successful');
}

export function runMetricsProviderContract(name: string, setup: () => Promise<ContractSubject>): void {
  describe(`MetricsProvider contract: ${name}`, () => {
    let s: ContractSubject;
    beforeAll(async () => {
      s = await setup();
    });
    afterAll(async () => {
      await s?.cleanup?.();
    });
    const ctx = (kind: 'good' | 'failing' | 'hanging' | 'aborted', signal: AbortSignal): MeasureContext => {
      s.before?.(kind);
      return { signal, runName: 'contract-run', metricName: s.metricName?.(kind) ?? 'contract-metric' };
    };

    it('resolves a good measurement, with a display string for values', async () => {
      const r = await s.provider.measure(s.good, ctx('good', new AbortController().signal));
      expect(isSuccess(r), JSON.stringify(r)).toBe(true);
      if (r.kind === 'value') {
        expect(typeof r.display).toBe('string');
        expect(r.display.length).toBeGreaterThan(0);
      }
    });

    it('resolves a failure instead of rejecting', async () => {
      const r = await s.provider.measure(s.failing, ctx('failing', new AbortController().signal));
      expect(isSuccess(r), JSON.stringify(r)).toBe(false);
      if (r.kind === 'error') expect(r.message.length).toBeGreaterThan(0);
      else expect(r).toMatchObject({ kind: 'job', phase: 'Failed' });
    });

    it('honours an already-aborted signal', async () => {
      const ac = new AbortController();
      ac.abort();
      const spec = s.hanging ?? s.good;
      const started = performance.now();
      const r = await s.provider.measure(spec, ctx(s.hanging ? 'hanging' : 'aborted', ac.signal));
      expect(performance.now() - started).toBeLessThan(PROMPT_MS);
      if (s.hanging) expect(isSuccess(r), JSON.stringify(r)).toBe(false);
    });

    it('ends a measurement in flight when the signal aborts', async (t) => {
      if (!s.hanging) {
        t.skip();
        return;
      }
      const ac = new AbortController();
      const pending = s.provider.measure(s.hanging, ctx('hanging', ac.signal));
      // Abort only once the request or process is under way, so the abort has to cut it short.
      await s.hangingStarted?.();
      const started = performance.now();
      ac.abort();
      const r = await pending;
      expect(performance.now() - started).toBeLessThan(PROMPT_MS);
      expect(isSuccess(r), JSON.stringify(r)).toBe(false);
    });
  });
}
