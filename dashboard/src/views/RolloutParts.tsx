/** The sections of the rollout page: the step ladder, revisions and their processes, analysis runs, schema steps, events, audit. */
import type { AnalysisRunView, AuditView, EventView, RevisionView, SchemaStepView, WorkloadDetail } from '../../../src/api/types.js';
import type { Decision } from '../data/release.js';
import { Clock, PhaseBadge, Table } from './common.js';
import { MetricChart } from './MetricChart.js';

/** The canary steps, the current one marked (`aria-current="step"`) and those before it done. */
export function StepLadder({ detail }: { detail: WorkloadDetail }) {
  if (detail.steps.length === 0) return <p class="hint">{detail.strategy === 'blueGreen' ? 'Blue/green: no steps; the preview is promoted as a whole.' : 'No steps.'}</p>;
  const at = detail.stepIndex ?? 0;
  return (
    <ol class="ladder">
      {detail.steps.map((s, i) => {
        const state = i < at ? 'done' : i === at && at < detail.steps.length ? (detail.aborted ? 'stopped' : 'current') : 'todo';
        return (
          <li key={i} class={`step step-${state}`} aria-current={state === 'current' ? 'step' : undefined}>
            <span class="step-n">{i + 1}</span>
            <span class="step-text">{s}</span>
            <span class="step-state">{state === 'done' ? 'done' : state === 'current' ? (detail.paused ? 'paused here' : 'now') : state === 'stopped' ? 'stopped here' : ''}</span>
          </li>
        );
      })}
    </ol>
  );
}

export function Reasons({ reasons }: { reasons: Decision[] }) {
  if (reasons.length === 0) return <p class="hint">No pause or abort in this release.</p>;
  return (
    <ul class="reasons">
      {reasons.map((r) => (
        <li key={r.eventId} class={r.kind === 'abort' ? 'reason-abort' : 'reason-pause'}>
          <strong>{r.label}</strong> at <Clock at={r.at} />: <span class="reason-text">{r.detail}</span>
        </li>
      ))}
    </ul>
  );
}

export function Revisions({ revisions }: { revisions: RevisionView[] }) {
  return (
    <Table caption="Revisions and their processes" columns={['Revision', 'Image', 'Roles', 'Weight', 'Ready', 'Processes']}>
          {revisions.map((r) => (
            <tr key={r.hash}>
              <th scope="row">
                {r.revision} <span class="hash">{r.hash}</span>
              </th>
              <td>{r.image ?? '—'}</td>
              <td>{r.roles.join(', ') || '—'}</td>
              <td class="num">{r.weight !== undefined ? `${r.weight}%` : '—'}</td>
              <td class="num">
                {r.ready}/{r.replicas}
              </td>
              <td>
                {r.pods.length === 0 ? (
                  '—'
                ) : (
                  <ul class="pods">
                    {r.pods.map((p) => (
                      <li key={p.name}>
                        <span class={p.ready ? 'ready' : 'not-ready'}>{p.ready ? '✓ ready' : '✗ not ready'}</span> {p.name} <span class="muted">{p.phase}, pid {p.pid}{p.restarts ? `, ${p.restarts} restarts` : ''}</span>
                      </li>
                    ))}
                  </ul>
                )}
              </td>
            </tr>
          ))}
        </Table>
  );
}

export function AnalysisRuns({ runs }: { runs: AnalysisRunView[] }) {
  if (runs.length === 0) return <p class="hint">No analysis run yet.</p>;
  return (
    <div class="runs">
      {runs.map((run, ri) => (
        <article key={run.name} class="run" aria-labelledby={`run-${ri}`}>
          <h3 id={`run-${ri}`}>
            {run.name} <span class="muted">({run.kind})</span> <PhaseBadge phase={run.phase} />
          </h3>
          {run.message ? <p class="run-message">{run.message}</p> : null}
          <div class="metric-grid">
            {run.metrics.map((m, mi) => (
              <MetricChart key={m.name} metric={m} id={`m-${ri}-${mi}`} />
            ))}
          </div>
        </article>
      ))}
    </div>
  );
}

export function SchemaSteps({ steps }: { steps: SchemaStepView[] }) {
  return (
    <Table caption="Schema migration steps" columns={['Migration', 'Phase', 'State', 'Revision', 'At', 'Message']}>
          {steps.map((s) => (
            <tr key={`${s.schemaMigration}/${s.migration}`}>
              <th scope="row">
                {s.migration || '—'} <span class="muted">{s.schemaMigration}</span>
              </th>
              <td>{s.phase}</td>
              <td>{s.state}</td>
              <td class="num">{s.revision ?? '—'}</td>
              <td>
                <Clock at={s.at} />
              </td>
              <td>{s.message ?? ''}</td>
            </tr>
          ))}
        </Table>
  );
}

/** The newest events first; measurements are left to the charts. */
export function Events({ events, limit }: { events: EventView[]; limit: number }) {
  const shown = events.filter((e) => e.type !== 'Measurement').slice(-limit).reverse();
  return (
    <Table caption="Events, newest first" columns={['Time', 'Event', 'Message']} className="events">
          {shown.map((e) => (
            <tr key={e.id}>
              <td>
                <Clock at={e.wallAt ?? e.at} />
              </td>
              <td>{e.type}</td>
              <td>{e.message}</td>
            </tr>
          ))}
        </Table>
  );
}

export function Audit({ records }: { records: AuditView[] }) {
  if (records.length === 0) return <p class="hint">Nobody has acted on it yet.</p>;
  return (
    <Table caption="Who did what, newest first" columns={['Time', 'Who', 'Action', 'Details']}>
          {[...records].reverse().map((a) => (
            <tr key={a.id}>
              <td>
                <Clock at={a.at} />
              </td>
              <td>{a.actor}</td>
              <td>{a.action}</td>
              <td>{a.details ? JSON.stringify(a.details) : ''}</td>
            </tr>
          ))}
        </Table>
  );
}
