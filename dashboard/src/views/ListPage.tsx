/**
 * All Rollouts and Deployments: name, namespace, strategy, phase, step, canary weight,
 * revisions, readiness and age; filtered by name and phase as one types. Any event reloads the
 * list (at most one call at a time), so it follows every release live.
 */
import { useMemo, useState } from 'preact/hooks';
import type { WorkloadSummary } from '../../../src/api/types.js';
import { api } from '../api.js';
import { ageText, filterWorkloads, phaseCounts, revisionsText, stepText } from '../data/list.js';
import { useInterval, useLive, useNow, useReloadable } from '../hooks.js';
import { PhaseBadge, Table, WeightBar } from './common.js';

export function ListPage() {
  const list = useReloadable(() => api.list(), 'list');
  useLive(() => list.reload(), () => list.reload());
  // Readiness changes announce no event: a slow refresh besides the events.
  useInterval(() => list.reload(), 5_000);
  const now = useNow(5_000);
  const [text, setText] = useState('');
  const [phase, setPhase] = useState('');
  const all = list.data;
  const shown = useMemo(() => (all ? filterWorkloads(all, { text, phase }) : []), [all, text, phase]);
  const counts = useMemo(() => phaseCounts(all ?? []), [all]);
  return (
    <section aria-labelledby="list-title">
      <h1 id="list-title">Rollouts and deployments</h1>
      <form class="filters" role="search" onSubmit={(e) => e.preventDefault()}>
        <div>
          <label for="filter-name">Name</label>
          <input id="filter-name" type="search" value={text} onInput={(e) => setText(e.currentTarget.value)} placeholder="part of namespace/name" />
        </div>
        <div>
          <label for="filter-phase">Phase</label>
          <select id="filter-phase" value={phase} onChange={(e) => setPhase(e.currentTarget.value)}>
            <option value="">All phases</option>
            {counts.map(([p, n]) => (
              <option key={p} value={p}>
                {p} ({n})
              </option>
            ))}
          </select>
        </div>
        <p class="count" aria-live="polite">
          {all ? `${shown.length} of ${all.length} shown` : ''}
        </p>
      </form>
      {list.error && !all ? <p class="error" role="alert">{list.error.message}</p> : null}
      <Table caption={`Rollouts and deployments${phase ? `, phase ${phase}` : ''}${text ? `, names containing “${text}”` : ''}`} columns={['Name', 'Namespace', 'Strategy', 'Phase', 'Step', 'Canary weight', 'Revisions', 'Ready', 'Age']} className="workloads">
            {all === undefined ? (
              <tr>
                <td colSpan={9} class="placeholder">
                  Loading…
                </td>
              </tr>
            ) : shown.length === 0 ? (
              <tr>
                <td colSpan={9} class="placeholder">
                  {all.length === 0 ? 'No Rollout or Deployment is applied.' : 'None matches the filter.'}
                </td>
              </tr>
            ) : (
              shown.map((w) => <Row key={`${w.namespace}/${w.name}`} w={w} now={now} />)
            )}
          </Table>
    </section>
  );
}

function Row({ w, now }: { w: WorkloadSummary; now: number }) {
  return (
    <tr>
      <th scope="row">
        <a href={`#/workloads/${encodeURIComponent(w.name)}`}>{w.name}</a>
        <span class="kind">{w.kind}</span>
      </th>
      <td>{w.namespace}</td>
      <td>{w.strategy}</td>
      <td>
        <PhaseBadge phase={w.phase} />
      </td>
      <td class="num">{stepText(w)}</td>
      <td>{w.kind === 'Rollout' ? <WeightBar weight={w.canaryWeight} /> : '—'}</td>
      <td>{revisionsText(w)}</td>
      <td class="num">
        {w.ready}/{w.desired}
      </td>
      <td class="num">{ageText(w, now)}</td>
    </tr>
  );
}
