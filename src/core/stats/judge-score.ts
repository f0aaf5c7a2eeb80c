/**
 * The canary's score from its metrics' classifications, as Kayenta's WeightedSumScorer and
 * ThresholdScoreClassifier compute it (kayenta-judge scorers/, classifiers/score/):
 *
 * - A group's score is 100 · Pass / (Pass + High + Low + NodataFailMetric); a group with none of
 *   those has no data and counts as 100.
 * - The summary is Σ group score · weight / 100, weights from groupWeights (percent), groups
 *   without one sharing (100 - Σ weights) equally; rounded to 2 decimals.
 * - A critical metric that is not Pass, or Nodata on half the metrics or more, makes it 0.
 * - Pass when score >= pass, Marginal when >= marginal, else Fail. Muted metrics are left out.
 *
 * Worked example: groups errors (weight 60: 1 Pass, 1 High) and latency (no weight, so 40:
 * 1 Pass) score 0.6 · 50 + 0.4 · 100 = 70; with thresholds pass 95 and marginal 75 that is Fail,
 * with marginal 60 it is Marginal.
 */
import type { JudgeScoringConfig } from './judge-config.js';
import type { MetricClassification } from './judge-metric.js';

/** Kayenta's summary classification. */
export type JudgeVerdict = 'Pass' | 'Marginal' | 'Fail';

/** Kayenta's WeightedSumScorer.NODATA_THRESHOLD (percent of metrics). */
export const NODATA_THRESHOLD = 50;

/** One group's score. */
export interface GroupScore {
  name: string;
  score: number;
  noData: boolean;
  weight: number;
}

/** The judge's overall result. */
export interface JudgeResult {
  score: number;
  verdict: JudgeVerdict;
  reason?: string;
  groups: GroupScore[];
  metrics: MetricClassification[];
  thresholds: { pass: number; marginal: number };
}

function groupScores(results: MetricClassification[], weights: Record<string, number>): GroupScore[] {
  const byGroup = new Map<string, MetricClassification['label'][]>();
  for (const r of results) for (const g of r.groups) byGroup.set(g, [...(byGroup.get(g) ?? []), r.label]);
  const weighted = Object.values(weights).reduce((s, w) => s + w, 0);
  const unweighted = [...byGroup.keys()].filter((g) => !(g in weights)).length;
  const shared = unweighted ? (100 - weighted) / unweighted : 0;
  return [...byGroup].map(([name, labels]) => {
    const count = (l: string): number => labels.filter((x) => x === l).length;
    const total = count('Pass') + count('High') + count('Low') + count('NodataFailMetric');
    return { name, score: total === 0 ? 0 : (count('Pass') / total) * 100, noData: total === 0, weight: weights[name] ?? shared };
  });
}

/** Scores classified metrics. */
export function scoreJudgement(metrics: MetricClassification[], config: JudgeScoringConfig): JudgeResult {
  const counted = metrics.filter((m) => !m.muted);
  const groups = groupScores(counted, config.groupWeights);
  const thresholds = config.scoreThresholds;
  let score: number;
  let reason: string | undefined;
  const critical = counted.find((m) => m.critical && m.label !== 'Pass');
  const nodata = counted.filter((m) => m.label === 'Nodata').length;
  if (critical) {
    score = 0;
    reason = `Canary Failed: ${critical.reason ?? critical.name}`;
  } else if (counted.length > 0 && (nodata / counted.length) * 100 >= NODATA_THRESHOLD) {
    score = 0;
    reason = `Canary Failed: ${NODATA_THRESHOLD}% or more metrics returned NODATA`;
  } else {
    const sum = groups.reduce((s, g) => s + (g.noData ? 100 : g.score) * (g.weight / 100), 0);
    score = Math.round(sum * 100) / 100;
  }
  const verdict: JudgeVerdict = score >= thresholds.pass ? 'Pass' : score >= thresholds.marginal ? 'Marginal' : 'Fail';
  const out: JudgeResult = { score, verdict, groups, metrics, thresholds };
  if (reason !== undefined) out.reason = reason;
  return out;
}
