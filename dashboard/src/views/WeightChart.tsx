/**
 * The canary weight over the latest release as a step line, each decision marked (pause,
 * resume, abort, promotion, a failed analysis, a person's action). Hand-drawn SVG: the chart
 * has a text alternative (its accessible name sums it up, and a table beside it holds every
 * change and decision), and a fixed aspect ratio, so nothing below it moves as points arrive.
 */
import type { Decision, WeightPoint } from '../data/release.js';
import { Clock, elapsedLabel, Table } from './common.js';

const W = 640;
const H = 220;
const M = { l: 44, r: 14, t: 14, b: 28 };

const MARK: Record<Decision['kind'], { symbol: string; cls: string }> = {
  pause: { symbol: '❚❚', cls: 'mark-pause' },
  resume: { symbol: '▶', cls: 'mark-resume' },
  abort: { symbol: '✕', cls: 'mark-abort' },
  promote: { symbol: '✓', cls: 'mark-promote' },
  retry: { symbol: '↻', cls: 'mark-resume' },
  'analysis-failed': { symbol: '!', cls: 'mark-abort' },
  'analysis-inconclusive': { symbol: '?', cls: 'mark-pause' },
  action: { symbol: '●', cls: 'mark-action' },
};

export function WeightChart({ points, decisions }: { points: WeightPoint[]; decisions: Decision[] }) {
  const first = points[0];
  const last = points[points.length - 1];
  const changes = points.filter((p, i) => i === 0 || p.weight !== (points[i - 1] as WeightPoint).weight);
  const summary = first
    ? `Canary weight over the release: ${changes.map((p) => `${p.weight}%`).join(', then ')}; now ${last?.weight ?? 0}%. ${decisions.length} decision${decisions.length === 1 ? '' : 's'} marked.`
    : 'Canary weight: no release yet.';
  const t0 = first?.at ?? 0;
  const span = Math.max(10_000, (last?.at ?? 0) - t0);
  const x = (at: number): number => M.l + ((at - t0) / span) * (W - M.l - M.r);
  const y = (w: number): number => M.t + (1 - w / 100) * (H - M.t - M.b);
  let d = '';
  points.forEach((p, i) => {
    d += i === 0 ? `M${x(p.at).toFixed(1)},${y(p.weight).toFixed(1)}` : `H${x(p.at).toFixed(1)}V${y(p.weight).toFixed(1)}`;
  });
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => t0 + f * span);
  return (
    <figure class="chart weight-chart">
      <figcaption id="weight-chart-title">Canary weight</figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby="weight-chart-title weight-chart-summary" preserveAspectRatio="xMidYMid meet">
        <desc id="weight-chart-summary">{summary}</desc>
        {[0, 25, 50, 75, 100].map((w) => (
          <g key={w} class="grid">
            <line x1={M.l} x2={W - M.r} y1={y(w)} y2={y(w)} />
            <text x={M.l - 6} y={y(w) + 4} text-anchor="end">
              {w}%
            </text>
          </g>
        ))}
        {first
          ? ticks.map((t) => (
              <text key={t} class="axis" x={x(t)} y={H - 8} text-anchor="middle">
                {elapsedLabel(t - t0)}
              </text>
            ))
          : null}
        {decisions.map((dec) => (
          <g key={dec.eventId} class={`mark ${MARK[dec.kind].cls}`}>
            <line x1={x(dec.at)} x2={x(dec.at)} y1={M.t} y2={H - M.b} />
            <text x={x(dec.at)} y={M.t + 2} text-anchor="middle">
              {MARK[dec.kind].symbol}
            </text>
            <title>{`${dec.label}: ${dec.detail}`}</title>
          </g>
        ))}
        {d ? <path class="weight-line" d={d} /> : null}
        {last ? <circle class="weight-now" cx={x(last.at)} cy={y(last.weight)} r={4} /> : null}
      </svg>
      <details>
        <summary>Weight changes and decisions as a table</summary>
        <Table caption="Canary weight changes and decisions" columns={['Time', 'What']} className="compact" testId="weight-table" wrap={false}>
            {[...changes.map((p) => ({ at: p.at, what: `weight ${p.weight}%`, key: `w${p.at}` })), ...decisions.map((dec) => ({ at: dec.at, what: `${dec.label}${dec.detail ? `: ${dec.detail}` : ''}`, key: `d${dec.eventId}` }))]
              .sort((a, b) => a.at - b.at)
              .map((r) => (
                <tr key={r.key}>
                  <td>
                    <Clock at={r.at} />
                  </td>
                  <td>{r.what}</td>
                </tr>
              ))}
          </Table>
      </details>
    </figure>
  );
}
