/**
 * The `pods:` of a `baton simulate` scenario: readiness pod by pod, for what Argo's tests check
 * with ReplicaSets whose pods are not all available (some pods of a revision ready and others
 * not, a pod that never becomes ready, a ready pod going unready later).
 *
 * ```yaml
 * pods:
 * - {revision: 2, pod: 2, ready: never}        # the third pod of revision 2 never becomes ready
 * - {revision: 2, readySeconds: 40}            # every other pod of revision 2 takes 40 s
 * - {revision: 1, pod: 0, unreadyAt: 1m, readyAgainAt: 3m}
 * ```
 */
import { isMap, isSeq, type Node } from 'yaml';
import { parseDurationOrSeconds } from '../spec/duration.js';
import type { Problem } from './scenario-actions.js';

/** Readiness for the pods of one revision, or one pod of it. */
export interface PodRule {
  /** Revision number: 1 the stable one, 2 the update, 3 a second update, ... */
  revision: number;
  /** The pod's place in the revision's creation order, from 0; unset: every pod of it. */
  pod?: number;
  /** Milliseconds from creation to ready (`Infinity`: never); unset: the scenario's readySeconds. */
  readyMs?: number;
  /** Milliseconds after the update when the pod goes unready. */
  unreadyAt?: number;
  /** Milliseconds after the update when it is ready again (unset: it stays unready). */
  readyAgainAt?: number;
}

const KEYS = ['revision', 'pod', 'ready', 'readySeconds', 'unreadyAt', 'readyAgainAt'];

/** Reads `pods:`; problems are reported, valid rules returned. */
export function readPods(node: Node, problem: Problem): PodRule[] {
  if (!isSeq(node)) {
    problem(node, 'pods', 'must be a list', 'e.g. - {revision: 2, pod: 0, ready: never}');
    return [];
  }
  const rules: PodRule[] = [];
  node.items.forEach((item, i) => {
    const path = `pods[${i}]`;
    if (!isMap(item)) return problem(item as Node, path, 'must be a mapping like {revision: 2, pod: 0, ready: never}');
    const p = item.toJSON() as Record<string, unknown>;
    const at = (k: string): Node => (item.get(k, true) as Node | undefined) ?? item;
    let ok = true;
    const bad = (k: string, message: string, hint?: string): void => {
      ok = false;
      problem(at(k), `${path}.${k}`, message, hint);
    };
    for (const k of Object.keys(p)) if (!KEYS.includes(k)) bad(k, `unknown field "${k}"`, `a pod rule takes ${KEYS.join(', ')}`);
    const isCount = (v: unknown, min: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= min;
    if (!isCount(p.revision, 1)) bad('revision', `${JSON.stringify(p.revision ?? null)} is not a revision number`, '1 is the stable revision, 2 the update');
    if (p.pod !== undefined && !isCount(p.pod, 0)) bad('pod', `${JSON.stringify(p.pod)} is not a pod index`, '0 is the first pod the revision created');
    const rule: PodRule = { revision: Number(p.revision) };
    if (p.pod !== undefined) rule.pod = Number(p.pod);
    if (p.ready !== undefined && p.readySeconds !== undefined) bad('ready', 'give ready: never or readySeconds, not both');
    if (p.ready !== undefined) {
      if (p.ready === 'never') rule.readyMs = Infinity;
      else bad('ready', `${JSON.stringify(p.ready)}: the only value is never`, 'for a delay use readySeconds');
    }
    if (p.readySeconds !== undefined) {
      if (typeof p.readySeconds === 'number' && p.readySeconds >= 0 && Number.isFinite(p.readySeconds)) rule.readyMs = p.readySeconds * 1000;
      else bad('readySeconds', 'must be a number of seconds >= 0');
    }
    for (const k of ['unreadyAt', 'readyAgainAt'] as const) {
      if (p[k] === undefined) continue;
      const ms = typeof p[k] === 'number' || typeof p[k] === 'string' ? parseDurationOrSeconds(p[k]) : undefined;
      if (ms === undefined) bad(k, `${JSON.stringify(p[k])} is not a time`, 'use 45s, 2m (after the update)');
      else rule[k] = ms;
    }
    if (rule.readyAgainAt !== undefined && (rule.unreadyAt === undefined || rule.readyAgainAt <= rule.unreadyAt)) {
      bad('readyAgainAt', 'must come after unreadyAt');
    }
    if (rule.readyMs === undefined && rule.unreadyAt === undefined && ok) bad('revision', 'the rule changes nothing', 'set ready, readySeconds or unreadyAt');
    if (ok) rules.push(rule);
  });
  return rules;
}

/** The rule that applies to a pod: its own, else its revision's; a later rule wins. */
export function podRule(rules: readonly PodRule[], revision: number, pod: number): { readyMs?: number; unready?: { from: number; to: number } } {
  const out: { readyMs?: number; unready?: { from: number; to: number } } = {};
  for (const r of rules) {
    if (r.revision !== revision || (r.pod !== undefined && r.pod !== pod)) continue;
    if (r.readyMs !== undefined) out.readyMs = r.readyMs;
    if (r.unreadyAt !== undefined) out.unready = { from: r.unreadyAt, to: r.readyAgainAt ?? Infinity };
  }
  return out;
}
