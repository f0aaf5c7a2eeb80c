/** One line of a metric's numbers for measurement metadata and `baton get`. */
import type { MetricNumbers } from '../../../core/stats/judge-metric.js';

const fmt = (v: number): string => (Number.isFinite(v) ? Number(v.toPrecision(4)).toString() : String(v));

/**
 * E.g. `mannWhitney W=25 p=0.0079 shift=19.6 [17.8, 28] at 0.98, effect 12.04 (allowed 1/1);
 * canary n=5 mean=23.6, baseline n=5 mean=1.96`.
 */
export function describeNumbers(n: MetricNumbers): string {
  const parts: string[] = [n.test];
  if (n.statistic !== undefined) parts.push(`stat=${fmt(n.statistic)}`);
  if (n.pValue !== undefined) parts.push(`p=${fmt(n.pValue)}`);
  if (n.estimate !== undefined) parts.push(`shift=${fmt(n.estimate)}`);
  if (n.confInt) parts.push(`[${fmt(n.confInt[0])}, ${fmt(n.confInt[1])}]`);
  parts.push(`at ${n.confLevel}`);
  const head = parts.join(' ');
  const effect = n.effectSize !== undefined ? `, effect ${fmt(n.effectSize)} (allowed ${fmt(n.allowedDecrease)}/${fmt(n.allowedIncrease)})` : '';
  const mean = (m: number | undefined): string => (m !== undefined ? ` mean=${fmt(m)}` : '');
  return `${head}${effect}; canary n=${n.canaryCount}${mean(n.canaryMean)}, baseline n=${n.baselineCount}${mean(n.baselineMean)}`;
}
