/**
 * One Rollout (or Deployment): where it stands, its actions, why it paused or stopped, the step
 * ladder beside the canary weight chart, revisions with their processes, analysis runs with a
 * chart per metric, schema migration steps, events and audit. Events of this workload arrive
 * over the live stream and go straight into the chart; the detail is then read again (at most
 * one call at a time), and every few seconds for what no event announces (a process ready).
 */
import { useMemo, useState } from 'preact/hooks';
import type { EventView } from '../../../src/api/types.js';
import { api } from '../api.js';
import { decisions, latestRelease, mergeEvents, pauseAndAbortReasons, weightSeries } from '../data/release.js';
import { useInterval, useLive, useNow, useReloadable } from '../hooks.js';
import { Actions } from './Actions.js';
import { PhaseBadge, WeightBar } from './common.js';
import { AnalysisRuns, Audit, Events, Reasons, Revisions, SchemaSteps, StepLadder } from './RolloutParts.js';
import { WeightChart } from './WeightChart.js';

const EVENTS_READ = 2000;

export function RolloutPage({ name }: { name: string }) {
  const detail = useReloadable(() => api.detail(name), `detail:${name}`);
  const audit = useReloadable(() => api.audit(name), `audit:${name}`);
  const history = useReloadable(() => api.events({ workload: name, limit: EVENTS_READ }), `events:${name}`);
  const [streamed, setStreamed] = useState<EventView[]>([]);
  useLive(
    (e) => {
      if (e.workload !== name) return;
      setStreamed((held) => mergeEvents(held, [e]));
      detail.reload();
      if (e.type === 'Action') audit.reload();
    },
    () => {
      // (Re)opened: what happened before or while the stream was down is read again.
      detail.reload();
      history.reload();
      audit.reload();
    },
  );
  useInterval(() => detail.reload(), 3_000);
  const now = useNow(1_000);
  const events = useMemo(() => mergeEvents(history.data?.events ?? [], streamed), [history.data, streamed]);
  const release = useMemo(() => latestRelease(events), [events]);
  const d = detail.data;
  const points = useMemo(() => weightSeries(release, now, d?.canaryWeight ?? 0), [release, now, d?.canaryWeight]);
  const marks = useMemo(() => decisions(release), [release]);
  const reasons = useMemo(() => pauseAndAbortReasons(events), [events]);

  if (!d) {
    return (
      <section aria-labelledby="detail-title" class="detail">
        <p>
          <a href="#/">← All rollouts</a>
        </p>
        <h1 id="detail-title">{name}</h1>
        <p role={detail.error ? 'alert' : 'status'} class={detail.error ? 'error' : ''}>
          {detail.error ? detail.error.message : 'Loading…'}
        </p>
      </section>
    );
  }
  return (
    <section aria-labelledby="detail-title" class="detail">
      <p>
        <a href="#/">← All rollouts</a>
      </p>
      <header class="detail-head">
        <h1 id="detail-title">
          {d.name} <span class="muted">{d.namespace}</span>
        </h1>
        <dl class="facts">
          <div>
            <dt>Phase</dt>
            <dd>
              <PhaseBadge phase={d.phase} />
            </dd>
          </div>
          <div>
            <dt>Strategy</dt>
            <dd>{d.strategy}</dd>
          </div>
          <div>
            <dt>Step</dt>
            <dd>{d.step ?? '—'}</dd>
          </div>
          <div>
            <dt>Canary weight</dt>
            <dd data-testid="canary-weight">{d.kind === 'Rollout' ? <WeightBar weight={d.canaryWeight} /> : '—'}</dd>
          </div>
          <div>
            <dt>Ready</dt>
            <dd>
              {d.ready}/{d.desired}
            </dd>
          </div>
        </dl>
        <p class="message" data-testid="message">
          {d.message || ' '}
        </p>
      </header>
      <Actions
        detail={d}
        onDone={() => {
          detail.reload();
          audit.reload();
        }}
      />
      <section aria-labelledby="why-title">
        <h2 id="why-title">Pauses and aborts</h2>
        <Reasons reasons={reasons} />
      </section>
      <div class="two-col">
        <section aria-labelledby="steps-title">
          <h2 id="steps-title">Steps</h2>
          <StepLadder detail={d} />
        </section>
        <section aria-labelledby="chart-title">
          <h2 id="chart-title" class="visually-hidden">
            Canary weight over time
          </h2>
          <WeightChart points={points} decisions={marks} />
        </section>
      </div>
      <section aria-labelledby="revisions-title">
        <h2 id="revisions-title">Revisions</h2>
        <Revisions revisions={d.revisions} />
      </section>
      <section aria-labelledby="analysis-title">
        <h2 id="analysis-title">Analysis</h2>
        <AnalysisRuns runs={d.analysisRuns} />
      </section>
      {d.schema?.length ? (
        <section aria-labelledby="schema-title">
          <h2 id="schema-title">Schema migrations</h2>
          <SchemaSteps steps={d.schema} />
        </section>
      ) : null}
      <section aria-labelledby="events-title">
        <h2 id="events-title">Events</h2>
        <Events events={events} limit={100} />
      </section>
      <section aria-labelledby="audit-title">
        <h2 id="audit-title">Audit</h2>
        <Audit records={audit.data ?? []} />
      </section>
    </section>
  );
}
