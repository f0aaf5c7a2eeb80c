/**
 * The `actions:` of a `baton simulate` scenario: what a person does at virtual times after the
 * update. Besides the `kubectl argo rollouts` verbs, two spec changes Argo's tests make in the
 * middle of a rollout: `update` (a new pod template: a second update, as `kubectl argo rollouts
 * set image` makes one) and `edit` (any other field of a manifest, `kubectl edit` / `apply`:
 * `spec.replicas`, a step, a template's args).
 */
import { isMap, isScalar, type Node, type YAMLMap } from 'yaml';
import type { RolloutAction } from '../rollout/index.js';
import { parseDurationOrSeconds } from '../spec/duration.js';

export const SCENARIO_ACTIONS = ['promote', 'promote-full', 'abort', 'retry', 'pause', 'resume', 'undo', 'update', 'edit'] as const;
export type ScenarioVerb = (typeof SCENARIO_ACTIONS)[number];

/** The change to the pod template that starts an update. */
export interface ScenarioUpdate {
  /** Container name; default the first container. */
  container?: string;
  image?: string;
  env?: Record<string, string>;
  args?: string[];
}

/** `edit`: field paths (`spec.replicas`, `spec.args[0].value`) set on one manifest. */
export interface ScenarioEdit {
  /** Default `Rollout`. */
  kind: string;
  /** Default the simulated Rollout (for kind Rollout) or the only manifest of that kind. */
  name?: string;
  set: { path: string; value: unknown }[];
}

/** One action; `at` is milliseconds after the update. */
export type ScenarioAction = { at: number; action: RolloutAction } | { at: number; update: ScenarioUpdate } | { at: number; edit: ScenarioEdit };

/** Reports a problem at a node: path, message, hint, code. */
export type Problem = (node: Node | null | undefined, path: string, message: string, hint?: string, code?: string) => void;

const FIELDS: Record<ScenarioVerb, string[]> = {
  promote: [],
  'promote-full': [],
  abort: ['reason'],
  retry: [],
  pause: [],
  resume: [],
  undo: ['toRevision'],
  update: ['image', 'env', 'args', 'container'],
  edit: ['kind', 'name', 'set'],
};

/**
 * Reads `update: {image, env, args, container}` (the scenario's own, or an action's, whose other
 * keys its caller checks: `checkKeys` false).
 */
export function readUpdate(node: YAMLMap, path: string, problem: Problem, checkKeys = true): ScenarioUpdate {
  const update: ScenarioUpdate = {};
  const u = node.toJSON() as Record<string, unknown>;
  for (const [k, v] of Object.entries(u)) {
    const at = node.get(k, true) as Node;
    if (k === 'image' || k === 'container') {
      if (typeof v === 'string' && v) update[k] = v;
      else problem(at, `${path}.${k}`, 'must be a non-empty string');
    } else if (k === 'env') {
      if (v && typeof v === 'object' && !Array.isArray(v) && Object.values(v).every((x) => ['string', 'number', 'boolean'].includes(typeof x))) {
        update.env = Object.fromEntries(Object.entries(v as Record<string, string | number | boolean>).map(([n, x]) => [n, String(x)]));
      } else problem(at, `${path}.env`, 'must map variable names to values', 'e.g. env: {ERROR_RATE: "0.2"}');
    } else if (k === 'args') {
      if (Array.isArray(v) && v.every((x) => typeof x === 'string')) update.args = v;
      else problem(at, `${path}.args`, 'must be a list of strings');
    } else if (checkKeys) {
      problem(node.items.find((p) => isScalar(p.key) && p.key.value === k)?.key as Node, `${path}.${k}`, `unknown field "${k}"`, 'update takes image, container, env and args', 'unknown-field');
    }
  }
  if (update.image === undefined && update.env === undefined && update.args === undefined) problem(node, path, 'changes nothing', 'set image, env or args');
  return update;
}

/** One item of `actions:`; undefined (and a problem reported) when it is not valid. */
export function readAction(item: unknown, path: string, problem: Problem): ScenarioAction | undefined {
  if (!isMap(item)) {
    problem(item as Node, path, 'must be a mapping like {at: 45s, do: promote}');
    return undefined;
  }
  const a = item.toJSON() as Record<string, unknown>;
  const atMs = typeof a.at === 'number' || typeof a.at === 'string' ? parseDurationOrSeconds(a.at) : undefined;
  if (atMs === undefined) problem(item.get('at', true) ?? item, `${path}.at`, `${JSON.stringify(a.at ?? null)} is not a time`, 'use 45s, 2m, 1h30m');
  const verb = a.do;
  if (typeof verb !== 'string' || !(SCENARIO_ACTIONS as readonly string[]).includes(verb)) {
    problem(item.get('do', true) ?? item, `${path}.do`, `${JSON.stringify(verb ?? null)} is not an action`, `use one of ${SCENARIO_ACTIONS.join(', ')}`);
    return undefined;
  }
  const v = verb as ScenarioVerb;
  for (const k of Object.keys(a)) {
    if (k === 'at' || k === 'do' || FIELDS[v].includes(k)) continue;
    const owner = (Object.keys(FIELDS) as ScenarioVerb[]).find((x) => FIELDS[x].includes(k));
    if (owner && k === 'toRevision') problem(item.get(k, true) ?? item, `${path}.${k}`, 'only undo takes toRevision');
    else if (owner && k === 'reason') problem(item.get(k, true) ?? item, `${path}.${k}`, 'only abort takes reason');
    else problem(item, `${path}.${k}`, `unknown field "${k}"`, `${v} takes ${['at', 'do', ...FIELDS[v]].join(', ')}`, 'unknown-field');
  }
  const before = problems(problem);
  const read = readVerb(v, item, a, path, before.report);
  if (atMs === undefined || before.count() > 0 || read === undefined) return undefined;
  return 'update' in read || 'edit' in read ? { at: atMs, ...read } : { at: atMs, action: read };
}

/** Counts the problems reported through it. */
function problems(problem: Problem): { report: Problem; count(): number } {
  let n = 0;
  return {
    report: (...args) => {
      n++;
      problem(...args);
    },
    count: () => n,
  };
}

function readVerb(verb: ScenarioVerb, item: YAMLMap, a: Record<string, unknown>, path: string, report: Problem): RolloutAction | { update: ScenarioUpdate } | { edit: ScenarioEdit } | undefined {
  const problem = (...args: Parameters<Problem>): undefined => {
    report(...args);
    return undefined;
  };
  switch (verb) {
    case 'abort':
      if (a.reason !== undefined && typeof a.reason !== 'string') return problem(item.get('reason', true) ?? item, `${path}.reason`, 'must be a string');
      return typeof a.reason === 'string' ? { type: 'abort', reason: a.reason } : { type: 'abort' };
    case 'undo': {
      const r = a.toRevision;
      if (r === undefined) return { type: 'undo' };
      if (typeof r !== 'number' || !Number.isInteger(r) || r < 1) {
        return problem(item.get('toRevision', true) ?? item, `${path}.toRevision`, `${JSON.stringify(r)} is not a revision number`, 'e.g. {at: 2m, do: undo, toRevision: 1}');
      }
      return { type: 'undo', toRevision: r };
    }
    case 'update':
      return { update: readUpdate(item, path, report, false) };
    case 'edit':
      return readEdit(item, a, path, problem);
    case 'promote':
    case 'promote-full':
    case 'retry':
    case 'pause':
    case 'resume':
      return { type: verb };
    default: {
      const never: never = verb;
      throw new Error(`unknown action ${String(never)}`);
    }
  }
}

/** A field path as `kubectl` writes them: `spec.replicas`, `spec.args[0].value`, `metadata.labels.app`. */
const FIELD_PATH = /^[A-Za-z_$][\w$-]*(\[\d+\]|\.[A-Za-z_$][\w$./-]*?)*$/;

function readEdit(item: YAMLMap, a: Record<string, unknown>, path: string, problem: (...args: Parameters<Problem>) => undefined): { edit: ScenarioEdit } | undefined {
  const kind = a.kind ?? 'Rollout';
  if (typeof kind !== 'string' || !kind) return problem(item.get('kind', true) ?? item, `${path}.kind`, 'must be a kind, e.g. Rollout or AnalysisTemplate');
  if (a.name !== undefined && (typeof a.name !== 'string' || !a.name)) return problem(item.get('name', true) ?? item, `${path}.name`, 'must be a manifest name');
  const setNode = item.get('set', true);
  if (!isMap(setNode) || setNode.items.length === 0) {
    return problem(setNode ?? item, `${path}.set`, 'must map field paths to values', 'e.g. set: {spec.replicas: 6}');
  }
  const set: ScenarioEdit['set'] = [];
  for (const pair of setNode.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : '';
    if (!FIELD_PATH.test(key)) {
      problem(pair.key as Node, `${path}.set`, `${JSON.stringify(key)} is not a field path`, 'e.g. spec.replicas, spec.strategy.canary.steps[0].setWeight');
      continue;
    }
    set.push({ path: key, value: (pair.value as Node | null)?.toJSON() ?? null });
  }
  return { edit: { kind, ...(typeof a.name === 'string' ? { name: a.name } : {}), set } };
}

/** `spec.args[0].value` -> ['spec', 'args', 0, 'value'], the keys the yaml package's setIn takes. */
export function splitFieldPath(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const m of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) out.push(m[2] !== undefined ? Number(m[2]) : (m[1] as string));
  return out;
}
