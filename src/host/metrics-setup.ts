/**
 * How the embedded default answers the Prometheus queries of the user's AnalysisTemplates:
 * every address written in a template is mapped to the embedded Prometheus (or to the one
 * `--prometheus` names), and the gateway
 * labels its metrics with the `job` those queries select (the seed's `job="tbyte-microservices"`).
 */
import type { ManifestSet } from '../core/spec/types.js';

/** Every distinct Prometheus address written in the (Cluster)AnalysisTemplates. */
export function prometheusAddresses(set: ManifestSet): string[] {
  const out = new Set<string>();
  for (const t of [...set.analysisTemplates, ...set.clusterAnalysisTemplates]) {
    for (const m of t.spec.metrics) {
      // judge and sequential query Prometheus through the prometheus provider, at their own address.
      const p = m.provider;
      if (p?.type === 'prometheus' || p?.type === 'judge' || p?.type === 'sequential') out.add(p.address);
    }
  }
  return [...out].sort();
}

/**
 * The `job` label for the gateway's metrics: the one value the templates' queries match with
 * `job="..."` when they agree on one, else `baton`. `--metrics-job` overrides it.
 */
export function metricsJobFor(set: ManifestSet): string {
  const jobs = new Set<string>();
  for (const t of [...set.analysisTemplates, ...set.clusterAnalysisTemplates]) {
    for (const m of t.spec.metrics) {
      const p = m.provider;
      if (p?.type !== 'prometheus') continue;
      for (const match of p.query.matchAll(/\bjob\s*=\s*"([^"]+)"/g)) if (match[1]) jobs.add(match[1]);
    }
  }
  return jobs.size === 1 ? ([...jobs][0] as string) : 'baton';
}
