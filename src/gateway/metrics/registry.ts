/**
 * Prometheus metrics of the gateway, rendered in the text exposition format 0.0.4.
 *
 * The names are the contract the seed's queries use: `http_requests_total` and
 * `http_request_duration_seconds`, labelled with the cluster's labels plus `route`, `method`
 * and `status`. The hot path stays cheap: the label text of each (cluster, route) pair is built
 * once when a config is compiled, and its cells live in a Map keyed by a small integer
 * (`status * 16 + method index`). Series outlive config swaps, so counters never go back.
 */

/** Bucket upper bounds in seconds (Prometheus client defaults, which include 0.5). */
export const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'CONNECT', 'TRACE'] as const;
const OTHER_METHOD = METHODS.length;

/** Small integer for a method; unknown methods share one slot labelled `other`. */
export function methodIndex(method: string): number {
  const i = (METHODS as readonly string[]).indexOf(method);
  return i < 0 ? OTHER_METHOD : i;
}

function methodName(i: number): string {
  return METHODS[i] ?? 'other';
}

/** Escapes a label value: backslash, double quote and newline (exposition format). */
export function escapeLabelValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** `{b: "2", a: "1"}` -> `a="1",b="2"` (sorted, escaped), the text inside a series' braces. */
export function formatLabels(labels: Record<string, string>): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}="${escapeLabelValue(labels[k] as string)}"`)
    .join(',');
}

interface Cell {
  count: number;
  sum: number;
  buckets: Float64Array;
}

/** The series of one (cluster labels, route) pair. */
export interface SeriesGroup {
  readonly labelText: string;
  readonly cells: Map<number, Cell>;
}

/** Gateway-wide gauges and counters, mutated in place on the hot path. */
export interface GatewayHealth {
  inFlight: number;
  retries: number;
  upstreamConnectErrors: number;
  mirrorDropped: number;
  configVersion: number;
  configApplies: number;
  configRejects: number;
}

/** The request series and health figures of one gateway process. */
export interface MetricsRegistry {
  readonly health: GatewayHealth;
  /** The group for these labels, created on first use and kept for the process' life. */
  group(clusterLabels: Record<string, string>, route: string): SeriesGroup;
  observe(group: SeriesGroup, status: number, methodIdx: number, seconds: number): void;
  /** Requests answered without a route (404), counted apart since they have no cluster. */
  countUnrouted(): void;
  render(endpointsInFlight: ReadonlyArray<{ endpoint: string; inFlight: number }>): string;
}

/** An empty registry. */
export function createMetricsRegistry(): MetricsRegistry {
  const groups = new Map<string, SeriesGroup>();
  let unrouted = 0;
  const health: GatewayHealth = { inFlight: 0, retries: 0, upstreamConnectErrors: 0, mirrorDropped: 0, configVersion: 0, configApplies: 0, configRejects: 0 };

  return {
    health,
    group(clusterLabels, route) {
      const labelText = formatLabels({ ...clusterLabels, route });
      let g = groups.get(labelText);
      if (!g) {
        g = { labelText, cells: new Map() };
        groups.set(labelText, g);
      }
      return g;
    },
    observe(group, status, methodIdx, seconds) {
      const key = status * 16 + methodIdx;
      let c = group.cells.get(key);
      if (!c) {
        c = { count: 0, sum: 0, buckets: new Float64Array(DURATION_BUCKETS.length) };
        group.cells.set(key, c);
      }
      c.count++;
      c.sum += seconds;
      for (let i = 0; i < DURATION_BUCKETS.length; i++) {
        if (seconds <= (DURATION_BUCKETS[i] as number)) {
          c.buckets[i] = (c.buckets[i] as number) + 1;
          break;
        }
      }
    },
    countUnrouted() {
      unrouted++;
    },
    render(endpointsInFlight) {
      const counter: string[] = ['# HELP http_requests_total Requests proxied, by cluster labels, route, method and status.', '# TYPE http_requests_total counter'];
      const hist: string[] = ['# HELP http_request_duration_seconds Time from request to the end of the response, by cluster labels, route, method and status.', '# TYPE http_request_duration_seconds histogram'];
      for (const g of groups.values()) {
        for (const [key, c] of g.cells) {
          const base = `${g.labelText}${g.labelText ? ',' : ''}method="${methodName(key % 16)}",status="${Math.floor(key / 16)}"`;
          counter.push(`http_requests_total{${base}} ${c.count}`);
          let acc = 0;
          for (let i = 0; i < DURATION_BUCKETS.length; i++) {
            acc += c.buckets[i] as number;
            hist.push(`http_request_duration_seconds_bucket{${base},le="${DURATION_BUCKETS[i]}"} ${acc}`);
          }
          hist.push(`http_request_duration_seconds_bucket{${base},le="+Inf"} ${c.count}`);
          hist.push(`http_request_duration_seconds_sum{${base}} ${c.sum}`);
          hist.push(`http_request_duration_seconds_count{${base}} ${c.count}`);
        }
      }
      const h = health;
      const extra = [
        '# HELP baton_gateway_requests_in_flight Client requests being answered now.',
        '# TYPE baton_gateway_requests_in_flight gauge',
        `baton_gateway_requests_in_flight ${h.inFlight}`,
        '# HELP baton_gateway_upstream_retries_total Requests retried on another endpoint after a connect failure or reset.',
        '# TYPE baton_gateway_upstream_retries_total counter',
        `baton_gateway_upstream_retries_total ${h.retries}`,
        '# HELP baton_gateway_upstream_connect_errors_total Upstream connections refused, reset or timed out.',
        '# TYPE baton_gateway_upstream_connect_errors_total counter',
        `baton_gateway_upstream_connect_errors_total ${h.upstreamConnectErrors}`,
        '# HELP baton_gateway_mirror_dropped_total Mirror copies not sent because the mirror bound was reached.',
        '# TYPE baton_gateway_mirror_dropped_total counter',
        `baton_gateway_mirror_dropped_total ${h.mirrorDropped}`,
        '# HELP baton_gateway_unrouted_requests_total Requests that matched no route (404).',
        '# TYPE baton_gateway_unrouted_requests_total counter',
        `baton_gateway_unrouted_requests_total ${unrouted}`,
        '# HELP baton_gateway_config_version Version of the config being served.',
        '# TYPE baton_gateway_config_version gauge',
        `baton_gateway_config_version ${h.configVersion}`,
        '# HELP baton_gateway_config_applies_total Configs accepted over the admin API.',
        '# TYPE baton_gateway_config_applies_total counter',
        `baton_gateway_config_applies_total ${h.configApplies}`,
        '# HELP baton_gateway_config_rejects_total Configs refused as invalid.',
        '# TYPE baton_gateway_config_rejects_total counter',
        `baton_gateway_config_rejects_total ${h.configRejects}`,
        '# HELP baton_gateway_endpoint_requests_in_flight Requests in flight per upstream endpoint.',
        '# TYPE baton_gateway_endpoint_requests_in_flight gauge',
        ...endpointsInFlight.map((e) => `baton_gateway_endpoint_requests_in_flight{endpoint="${escapeLabelValue(e.endpoint)}"} ${e.inFlight}`),
      ];
      return [...counter, ...hist, ...extra].join('\n') + '\n';
    },
  };
}
