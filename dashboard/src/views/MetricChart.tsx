/**
 * One analysis metric: each measurement against the success and failure thresholds, failed
 * points marked ✕, inconclusive ◆, errors ▲ on the axis (they have no number). Hand-drawn SVG
 * with a text alternative: the accessible name sums it up and a table holds every measurement.
 */
import type { MetricView } from '../../../src/api/types.js';
import { formatValue, measurementPoints, thresholdsOf, valueRange, type MeasurementPoint } from '../data/metrics.js';
import { PhaseBadge, Table } from './common.js';

const W = 480;
const H = 160;
const M = { l: 48, r: 12, t: 12, b: 22 };

export function MetricChart({ metric, id }: { metric: MetricView; id: string }) {
  const points = measurementPoints(metric.measurements);
  const thresholds = thresholdsOf(metric);
  const { min, max } = valueRange(points, thresholds);
  const n = Math.max(points.length - 1, 1);
  const x = (i: number): number => M.l + (i / n) * (W - M.l - M.r);
  const y = (v: number): number => M.t + (1 - (v - min) / (max - min)) * (H - M.t - M.b);
  const valued = points.filter((p): p is MeasurementPoint & { value: number } => p.value !== undefined);
  const line = valued.map((p, i) => `${i ? 'L' : 'M'}${x(p.index).toFixed(1)},${y(p.value).toFixed(1)}`).join('');
  const summary = `${metric.name}: ${metric.count} measurement${metric.count === 1 ? '' : 's'}, ${metric.successful} successful, ${metric.failed} failed, ${metric.inconclusive} inconclusive, ${metric.error} errors${
    thresholds.length ? `; ${thresholds.map((t) => `${t.of} when ${t.op} ${formatValue(t.value)}`).join(', ')}` : ''
  }${valued.length ? `; last value ${formatValue((valued[valued.length - 1] as { value: number }).value)}` : ''}.`;
  return (
    <figure class="chart metric-chart">
      <figcaption id={`${id}-title`}>
        <span class="metric-name">{metric.name}</span> <PhaseBadge phase={metric.phase} />
        <span class="conditions">
          {metric.successCondition ? <span>success: <code>{metric.successCondition}</code></span> : null}
          {metric.failureCondition ? <span>failure: <code>{metric.failureCondition}</code></span> : null}
        </span>
      </figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby={`${id}-title ${id}-summary`}>
        <desc id={`${id}-summary`}>{summary}</desc>
        {[min, (min + max) / 2, max].map((v) => (
          <g key={v} class="grid">
            <line x1={M.l} x2={W - M.r} y1={y(v)} y2={y(v)} />
            <text x={M.l - 6} y={y(v) + 4} text-anchor="end">
              {formatValue(v)}
            </text>
          </g>
        ))}
        {thresholds.map((t) => (
          <g key={t.of} class={`threshold threshold-${t.of}`}>
            <line x1={M.l} x2={W - M.r} y1={y(t.value)} y2={y(t.value)} />
            <text x={W - M.r} y={y(t.value) - 4} text-anchor="end">
              {t.of} {t.op} {formatValue(t.value)}
            </text>
          </g>
        ))}
        {line ? <path class="metric-line" d={line} /> : null}
        {points.map((p) => (
          <Point key={p.index} p={p} cx={x(p.index)} cy={p.value === undefined ? H - M.b : y(p.value)} />
        ))}
      </svg>
      <details>
        <summary>Measurements as a table</summary>
        <Table caption={`Measurements of ${metric.name}`} columns={['#', 'Phase', 'Value', 'Message']} className="compact" wrap={false}>
            {metric.measurements.map((m, i) => (
              <tr key={i}>
                <td class="num">{i + 1}</td>
                <td>{m.phase}</td>
                <td>{m.value ?? '—'}</td>
                <td>{m.message ?? ''}</td>
              </tr>
            ))}
          </Table>
      </details>
    </figure>
  );
}

function Point({ p, cx, cy }: { p: MeasurementPoint; cx: number; cy: number }) {
  const label = `#${p.index + 1} ${p.phase}${p.value !== undefined ? ` ${formatValue(p.value)}` : ''}${p.message ? `: ${p.message}` : ''}`;
  switch (p.phase) {
    case 'Failed':
      return (
        <g class="pt pt-failed">
          <path d={`M${cx - 5},${cy - 5}L${cx + 5},${cy + 5}M${cx + 5},${cy - 5}L${cx - 5},${cy + 5}`} />
          <title>{label}</title>
        </g>
      );
    case 'Inconclusive':
      return (
        <g class="pt pt-inconclusive">
          <path d={`M${cx},${cy - 6}L${cx + 6},${cy}L${cx},${cy + 6}L${cx - 6},${cy}Z`} />
          <title>{label}</title>
        </g>
      );
    case 'Error':
      return (
        <g class="pt pt-error">
          <path d={`M${cx},${cy - 7}L${cx + 6},${cy + 3}L${cx - 6},${cy + 3}Z`} />
          <title>{label}</title>
        </g>
      );
    default:
      return (
        <g class="pt pt-ok">
          <circle cx={cx} cy={cy} r={3.5} />
          <title>{label}</title>
        </g>
      );
  }
}
