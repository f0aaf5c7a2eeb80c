/**
 * The `baton simulate` scenario file: which rollout, the template change that starts the update,
 * how long new pods take, scripted metric results and a person's actions at virtual times.
 * Parsing is pure; every problem is reported at once with its line, as `baton lint` reports.
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import { parseDurationOrSeconds } from '../spec/duration.js';
import type { Diagnostic } from '../spec/diagnostics.js';
import { readAction, readUpdate, type Problem, type ScenarioAction, type ScenarioUpdate } from './scenario-actions.js';
import { readPods, type PodRule } from './scenario-pods.js';

export { SCENARIO_ACTIONS, splitFieldPath, type ScenarioAction, type ScenarioEdit, type ScenarioUpdate, type ScenarioVerb } from './scenario-actions.js';
export { podRule, type PodRule } from './scenario-pods.js';

export interface Scenario {
  rollout?: string;
  update: ScenarioUpdate;
  readyMs: number;
  /** Raw metric script, validated by the scripted provider's `parseScript`. */
  metrics: Record<string, unknown[]>;
  actions: ScenarioAction[];
  /** Readiness pod by pod (empty: every pod ready `readyMs` after it is created). */
  pods: PodRule[];
  untilMs: number;
}

const KNOWN_KEYS = new Set(['rollout', 'update', 'readySeconds', 'metrics', 'actions', 'pods', 'until']);

/** Parses scenario YAML; `diagnostics` holds every problem, `scenario` is set only when there are none. */
export function parseScenario(file: string, text: string): { scenario?: Scenario; diagnostics: Diagnostic[] } {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false });
  const diagnostics: Diagnostic[] = [];
  const at = (node: Node | null | undefined): { line: number; column: number } => {
    const offset = node?.range?.[0];
    if (offset === undefined) return { line: 1, column: 1 };
    const p = lc.linePos(offset);
    return { line: p.line, column: p.col };
  };
  const problem: Problem = (node, path, message, hint, code = 'invalid-scenario') => {
    diagnostics.push({ severity: 'error', code, file, ...at(node), path, message, ...(hint ? { hint } : {}) });
  };
  for (const e of doc.errors) {
    const p = lc.linePos(e.pos[0]);
    diagnostics.push({ severity: 'error', code: 'yaml-syntax', file, line: p.line, column: p.col, path: '', message: e.message.split('\n')[0] ?? e.message });
  }
  if (diagnostics.length) return { diagnostics };
  const root = doc.contents;
  if (!isMap(root)) {
    problem(root, '', 'a scenario is a mapping', 'see docs/simulate.md');
    return { diagnostics };
  }
  const get = (key: string): Node | undefined => root.get(key, true);
  for (const pair of root.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : '';
    if (!KNOWN_KEYS.has(key)) problem(pair.key, key, `unknown field "${key}"`, `known fields: ${[...KNOWN_KEYS].join(', ')}`, 'unknown-field');
  }

  let rollout: string | undefined;
  const rolloutNode = get('rollout');
  if (rolloutNode !== undefined) {
    if (isScalar(rolloutNode) && typeof rolloutNode.value === 'string' && rolloutNode.value) rollout = rolloutNode.value;
    else problem(rolloutNode, 'rollout', 'must be a Rollout name');
  }

  let update: ScenarioUpdate = {};
  const updateNode = get('update');
  if (!isMap(updateNode)) {
    problem(updateNode ?? root, 'update', updateNode ? 'must be a mapping' : 'is required', 'e.g. update: {image: "shop:v2"}', updateNode ? 'invalid-scenario' : 'missing-field');
  } else {
    update = readUpdate(updateNode, 'update', problem);
  }

  let readyMs = 0;
  const readyNode = get('readySeconds');
  if (readyNode !== undefined) {
    const v = isScalar(readyNode) ? readyNode.value : undefined;
    if (typeof v === 'number' && v >= 0 && Number.isFinite(v)) readyMs = v * 1000;
    else problem(readyNode, 'readySeconds', 'must be a number of seconds >= 0');
  }

  const metrics: Record<string, unknown[]> = {};
  const metricsNode = get('metrics');
  if (metricsNode !== undefined) {
    if (!isMap(metricsNode)) problem(metricsNode, 'metrics', 'must map metric names to lists of results');
    else {
      for (const pair of metricsNode.items) {
        const name = isScalar(pair.key) ? String(pair.key.value) : '';
        const value = pair.value as Node | null;
        if (!isSeq(value) || value.items.length === 0) {
          problem(value ?? (pair.key as Node), `metrics.${name}`, 'must be a non-empty list of results', 'e.g. error-rate: [[0.01], [0.09]]');
          continue;
        }
        metrics[name] = value.toJSON();
      }
    }
  }

  const actions: ScenarioAction[] = [];
  const actionsNode = get('actions');
  if (actionsNode !== undefined) {
    if (!isSeq(actionsNode)) problem(actionsNode, 'actions', 'must be a list', 'e.g. - {at: 45s, do: promote}');
    else {
      actionsNode.items.forEach((item, i) => {
        const action = readAction(item, `actions[${i}]`, problem);
        if (action) actions.push(action);
      });
    }
  }
  const podsNode = get('pods');
  const pods = podsNode === undefined ? [] : readPods(podsNode, problem);
  actions.sort((x, y) => x.at - y.at);

  let untilMs = 24 * 3_600_000;
  const untilNode = get('until');
  if (untilNode !== undefined) {
    const v = isScalar(untilNode) ? untilNode.value : undefined;
    const ms = typeof v === 'number' || typeof v === 'string' ? parseDurationOrSeconds(v) : undefined;
    if (ms === undefined || ms <= 0) problem(untilNode, 'until', `${JSON.stringify(v ?? null)} is not a duration`, 'use 30m, 24h');
    else untilMs = ms;
  }

  // Reported in file order, as lint reports manifests, whatever order the fields were checked in.
  if (diagnostics.length) return { diagnostics: diagnostics.sort((a, b) => a.line - b.line || a.column - b.column) };
  return { scenario: { ...(rollout ? { rollout } : {}), update, readyMs, metrics, actions, pods, untilMs }, diagnostics };
}

/**
 * The template after the scenario's change: a new pod-template hash, hence a new revision.
 * Returns an error message when the named container does not exist.
 */
export function applyUpdate<T extends { spec: { containers: { name: string; image: string; env: { name: string; value?: string }[]; args: string[] }[] } }>(
  template: T,
  update: ScenarioUpdate,
): { template: T } | { error: string } {
  const copy = structuredClone(template);
  const containers = copy.spec.containers;
  const target = update.container ? containers.find((c) => c.name === update.container) : containers[0];
  if (!target) {
    return { error: update.container ? `update.container: no container "${update.container}" in the template (has ${containers.map((c) => c.name).join(', ')})` : 'the template has no container' };
  }
  if (update.image !== undefined) target.image = update.image;
  if (update.args !== undefined) target.args = update.args;
  for (const [name, value] of Object.entries(update.env ?? {})) {
    const existing = target.env.find((e) => e.name === name);
    if (existing) existing.value = value;
    else target.env.push({ name, value });
  }
  return { template: copy };
}
