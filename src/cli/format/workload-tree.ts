/**
 * `baton get rollout NAME`: a header and a tree as `kubectl argo rollouts get rollout` prints
 * them (pkg/kubectl-argo-rollouts/cmd/get/get_rollout.go): revisions with their ReplicaSet and
 * pods, analysis runs under the revision they belong to, and here also each run's metrics with
 * their measurement counts, last values and, for Prometheus, the written and the queried address.
 */
import type { AnalysisRunView, MetricView, PodView, RevisionView, SchemaStepView, WorkloadDetail } from '../../api/types.js';
import { formatAge, formatTable, pad, strategyTitle, withIcon } from './text.js';

/** The width of the header's labels, as Argo's `Name:            ` (17 columns). */
const LABEL = 17;

function field(label: string, value: string | number, indent = 0): string {
  return `${pad(`${' '.repeat(indent)}${label}:`, LABEL)}${value}`;
}

/** How many of a metric's last values the tree shows. */
const LAST_VALUES = 3;

/** Renders the detail; `now` (wall-clock ms) gives the pods' ages. */
export function renderWorkloadDetail(d: WorkloadDetail, now: number): string {
  return `${renderHeader(d)}\n${renderTree(d, now)}`;
}

function renderHeader(d: WorkloadDetail): string {
  const lines = [field('Name', d.name), field('Namespace', d.namespace), field('Status', withIcon(d.phase))];
  if (d.message) lines.push(field('Message', d.message));
  lines.push(field('Strategy', strategyTitle(d.strategy)));
  if (d.kind === 'Rollout' && d.strategy === 'canary') {
    if (d.step !== undefined) {
      const current = d.stepIndex !== undefined ? d.steps[d.stepIndex] : undefined;
      lines.push(field('Step', current ? `${d.step}  (${current})` : d.step, 2));
    }
    lines.push(field('SetWeight', d.canaryWeight, 2));
    const actual = actualWeight(d);
    if (actual !== undefined) lines.push(field('ActualWeight', actual, 2));
  }
  const images = d.revisions
    .filter((r) => r.image !== undefined && r.roles.some((role) => role !== 'old'))
    .sort((a, b) => b.revision - a.revision)
    .map((r) => `${r.image ?? ''} (${r.roles.filter((role) => role !== 'old').join(', ')})`);
  images.forEach((image, i) => lines.push(i === 0 ? field('Images', image) : `${' '.repeat(LABEL)}${image}`));
  lines.push('Replicas:');
  lines.push(field('Desired', d.desired, 2), field('Current', d.current, 2), field('Updated', d.updated, 2), field('Ready', d.ready, 2), field('Available', d.available, 2));
  if (d.timeScale !== 1) lines.push(field('Time scale', `${d.timeScale} (pauses, intervals and delays last ${d.timeScale}x their written time)`));
  if (d.schema?.length) lines.push('Schema:', ...renderSchema(d.schema));
  return lines.join('\n') + '\n';
}

/** The last step of each migration, with why a step failed or was skipped under it. */
function renderSchema(steps: readonly SchemaStepView[]): string[] {
  const table = formatTable(
    ['SCHEMAMIGRATION', 'MIGRATION', 'STEP', 'STATE', 'REVISION'],
    steps.map((st) => [st.schemaMigration, st.migration || '-', st.phase, st.state, st.revision !== undefined ? String(st.revision) : '']),
  );
  const rows = table.trimEnd().split('\n').map((l) => `  ${l}`);
  const why = steps.filter((st) => st.message && (st.state === 'failed' || st.state === 'skipped')).map((st) => `  ${st.migration || st.schemaMigration}: ${st.message ?? ''}`);
  return [...rows, ...why];
}

/**
 * The canary's traffic share as routed: the weights the router reports per revision; without
 * traffic routing, the canary's share of available pods (Argo's basic canary arithmetic,
 * `utils/replicaset/canary.go`): 1 of 4 available pods -> 25.
 */
function actualWeight(d: WorkloadDetail): number | undefined {
  const canary = d.revisions.filter((r) => r.roles.includes('canary'));
  if (canary.length === 0) return undefined;
  if (d.revisions.some((r) => r.weight !== undefined)) return canary.reduce((sum, r) => sum + (r.weight ?? 0), 0);
  const total = d.revisions.reduce((sum, r) => sum + r.available, 0);
  if (total === 0) return 0;
  return Math.round((canary.reduce((sum, r) => sum + r.available, 0) * 100) / total);
}

type Row = [name: string, kind: string, status: string, age: string, info: string];

interface Node {
  /** kind, status, age, info. */
  row: [string, string, string, string];
  label: string;
  children: Node[];
}

function node(label: string, kind = '', status = '', age = '', info = '', children: Node[] = []): Node {
  return { label, row: [kind, status, age, info], children };
}

function renderTree(d: WorkloadDetail, now: number): string {
  const runs = new Map<number, AnalysisRunView[]>();
  const loose: AnalysisRunView[] = [];
  for (const run of d.analysisRuns) {
    // Argo names a run `<rollout>-<pod-template-hash>-<revision>-<step>`, so the hash finds the revision.
    const rev = d.revisions.find((r) => r.hash && run.name.startsWith(`${d.name}-${r.hash}-`));
    if (rev) runs.set(rev.revision, [...(runs.get(rev.revision) ?? []), run]);
    else loose.push(run);
  }
  const revisions = [...d.revisions].sort((a, b) => b.revision - a.revision);
  const children = revisions.map((r) => node(`# revision:${r.revision}`, '', '', '', '', [revisionNode(d, r, now), ...(runs.get(r.revision) ?? []).map(runNode)]));
  children.push(...loose.map(runNode));
  const root = node(`⟳ ${d.name}`, d.kind, withIcon(d.phase), '', '', children);

  const rows: Row[] = [];
  const walk = (n: Node, prefix: string, childPrefix: string): void => {
    rows.push([`${prefix}${n.label}`, ...n.row]);
    n.children.forEach((c, i) => {
      const last = i === n.children.length - 1;
      walk(c, `${childPrefix}${last ? '└──' : '├──'}`, `${childPrefix}${last ? '   ' : '│  '}`);
    });
  };
  walk(root, '', '');
  return formatTable(['NAME', 'KIND', 'STATUS', 'AGE', 'INFO'], rows);
}

function revisionNode(d: WorkloadDetail, r: RevisionView, now: number): Node {
  const status = r.replicas === 0 && r.pods.length === 0 ? 'ScaledDown' : r.ready >= r.replicas ? 'Healthy' : 'Progressing';
  const info = [r.roles.join(','), r.weight !== undefined ? `weight:${r.weight}%` : '', `ready:${r.ready}/${r.replicas}`].filter(Boolean).join(' ');
  return node(`⧉ ${d.name}-${r.hash}`, 'ReplicaSet', withIcon(status), '', info, r.pods.map((p) => podNode(p, now)));
}

function podNode(p: PodView, now: number): Node {
  // A pod is ✔ only once ready, as kubectl argo rollouts shows a Running pod that is not.
  const status = p.phase === 'Running' ? `${p.ready ? '✔' : '◌'} Running` : withIcon(p.phase);
  const info = [`ready:${p.ready ? 1 : 0}/1`, `restarts:${p.restarts}`, `pid:${p.pid}`, p.address].filter(Boolean).join(' ');
  return node(`□ ${p.name}`, 'Pod', status, formatAge(now - p.startedAt), info);
}

function runNode(run: AnalysisRunView): Node {
  const info = [run.kind, run.message ?? ''].filter(Boolean).join(': ');
  return node(`α ${run.name}`, 'AnalysisRun', withIcon(run.phase), '', info, run.metrics.map(metricNode));
}

function metricNode(m: MetricView): Node {
  const counts = `✔ ${m.successful} ✖ ${m.failed} ? ${m.inconclusive} ⚠ ${m.error} (${m.count} measured)`;
  const shown = m.measurements.slice(-LAST_VALUES);
  const values = shown.map((x) => x.value ?? x.phase).join(' ');
  const last = m.measurements[m.measurements.length - 1];
  const problem = last?.message && last.phase !== 'Successful' ? ` (${last.message})` : '';
  const info = `${counts}${values ? ` last: ${values}` : ''}${problem}`;
  const children: Node[] = [];
  if (m.address !== undefined || m.queriedAddress !== undefined) {
    const queried = m.queriedAddress !== undefined && m.queriedAddress !== m.address ? ` -> queried at ${m.queriedAddress}` : '';
    children.push(node(m.provider, '', '', '', `${m.address ?? '(no address)'}${queried}`));
  }
  return node(m.name, `Metric (${m.provider})`, withIcon(m.phase), '', info, children);
}
