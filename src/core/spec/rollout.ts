/**
 * Argo Rollout (`argoproj.io/v1alpha1`), read with Argo's defaults (`utils/defaults`) and the
 * checks of `ValidateRolloutSpec` that need nothing but the Rollout itself. Checks against other
 * manifests (templates, services, VirtualServices, workloadRef) live in `cross-refs.ts`.
 */
import type { ManifestBase, Rollout, RolloutStrategy, WorkloadRef } from './types.js';
import {
  DEFAULT_MIN_READY_SECONDS,
  DEFAULT_PROGRESS_DEADLINE_SECONDS,
  DEFAULT_REPLICAS,
  DEFAULT_REVISION_HISTORY_LIMIT,
} from './defaults.js';
import type { Field } from './fields.js';
import { readLabelSelector, readPodTemplate, selectorMatches } from './pod-template.js';
import { readBlueGreen } from './blue-green.js';
import { readCanary, type CanaryRefs } from './canary.js';
import type { AnalysisUse } from './rollout-analysis.js';

/** What a Rollout refers to, with paths, for `cross-refs.ts`. */
export interface RolloutRefs extends CanaryRefs {
  analyses: AnalysisUse[];
}

const SPEC_KEYS = [
  'replicas',
  'selector',
  'template',
  'workloadRef',
  'minReadySeconds',
  'revisionHistoryLimit',
  'paused',
  'progressDeadlineSeconds',
  'progressDeadlineAbort',
  'restartAt',
  'rollbackWindow',
  'analysis',
  'strategy',
];

const SCALE_DOWN = ['never', 'onsuccess', 'progressively'] as const;

function readWorkloadRef(f: Field): WorkloadRef | undefined {
  if (!f.object()) return undefined;
  const ref: WorkloadRef = {
    apiVersion: f.get('apiVersion').string() ?? 'apps/v1',
    kind: f.get('kind').string({ required: true }) ?? '',
    name: f.get('name').string({ required: true }) ?? '',
  };
  if (ref.kind && ref.kind !== 'Deployment') {
    f.get('kind').error('unsupported', `workloadRef kind "${ref.kind}" is not supported`, 'refer to an apps/v1 Deployment');
  }
  const scaleDown = f.get('scaleDown').string();
  if (scaleDown !== undefined) {
    if ((SCALE_DOWN as readonly string[]).includes(scaleDown)) ref.scaleDown = scaleDown as WorkloadRef['scaleDown'];
    else f.get('scaleDown').error('invalid-value', `"${scaleDown}" is not a scaleDown mode`, 'use never, onsuccess or progressively');
  }
  return ref;
}

/** Reads a Rollout with its defaults and the references it makes, for `cross-refs.ts`. */
export function readRollout(f: Field, base: Omit<ManifestBase<string>, 'kind'>): { rollout: Rollout; refs: RolloutRefs } {
  const refs: RolloutRefs = { analyses: [], virtualServices: [] };
  const spec = f.get('spec');
  spec.object({ required: true });
  spec.checkKeys(SPEC_KEYS, 'a Rollout spec');

  const workloadRef = readWorkloadRef(spec.get('workloadRef'));
  const selector = readLabelSelector(spec.get('selector'));
  const templateField = spec.get('template');
  if (workloadRef) {
    if (templateField.present && templateField.get('spec').get('containers').present) {
      templateField.error('template-with-workload-ref', 'template must be empty for workload reference rollout', 'remove template or workloadRef');
    }
  } else if (!spec.get('selector').present) {
    spec.get('selector').error('missing-field', "Rollout has missing field '.spec.selector'", 'add selector.matchLabels that the pod template carries');
  }
  const template = workloadRef ? undefined : readPodTemplate(templateField, { required: true });
  if (selector && template && !selectorMatches(selector, template.metadata.labels)) {
    templateField.get('metadata').get('labels').error('selector-mismatch', '`selector` does not match template `labels`', 'give the template the labels spec.selector.matchLabels asks for');
  }

  const revisionHistoryLimit = spec.get('revisionHistoryLimit').int({ min: 0 }) ?? DEFAULT_REVISION_HISTORY_LIMIT;
  const minReadySeconds = spec.get('minReadySeconds').int({ min: 0 }) ?? DEFAULT_MIN_READY_SECONDS;
  const progressDeadlineSeconds = spec.get('progressDeadlineSeconds').int({ min: 0 }) ?? DEFAULT_PROGRESS_DEADLINE_SECONDS;
  if (progressDeadlineSeconds <= minReadySeconds) {
    spec.get('progressDeadlineSeconds').error('invalid-value', `must be greater than minReadySeconds (${minReadySeconds})`);
  }

  const strategyField = spec.get('strategy');
  strategyField.object({ required: true, hint: 'add strategy.canary or strategy.blueGreen' });
  const canaryField = strategyField.get('canary');
  const blueGreenField = strategyField.get('blueGreen');
  let strategy: RolloutStrategy;
  if (canaryField.present && blueGreenField.present) {
    strategyField.error('invalid-strategy', 'Multiple Strategies can not be listed', 'keep canary or blueGreen');
  } else if (strategyField.present && !canaryField.present && !blueGreenField.present) {
    strategyField.error('missing-field', "Rollout has missing field '.spec.strategy.canary or .spec.strategy.blueGreen'");
  }
  if (blueGreenField.present && !canaryField.present) {
    blueGreenField.object();
    strategy = readBlueGreen(blueGreenField, revisionHistoryLimit, refs.analyses);
  } else {
    canaryField.object();
    strategy = readCanary(canaryField, revisionHistoryLimit, refs.analyses, refs);
  }

  readBaselineAnnotation(f, strategy);

  const rollout: Rollout = {
    ...base,
    kind: 'Rollout',
    spec: {
      replicas: spec.get('replicas').int({ min: 0 }) ?? DEFAULT_REPLICAS,
      minReadySeconds,
      revisionHistoryLimit,
      paused: spec.get('paused').bool(false),
      progressDeadlineSeconds,
      progressDeadlineAbort: spec.get('progressDeadlineAbort').bool(false),
      strategy,
    },
  };
  if (selector) rollout.spec.selector = selector;
  if (template) rollout.spec.template = template;
  if (workloadRef) rollout.spec.workloadRef = workloadRef;
  const restartAt = spec.get('restartAt').string();
  if (restartAt !== undefined) rollout.spec.restartAt = restartAt;
  return { rollout, refs };
}

/** The annotation that asks for a baseline revision (docs/release-safety.md#baseline). */
export const BASELINE_ANNOTATION = 'baton.dev/baseline';

/**
 * `metadata.annotations["baton.dev/baseline"]: "true"` asks for a baseline beside the canary, as
 * `spec.strategy.canary.baseline.enabled` does. The annotation is the form that a cluster with
 * Argo's Rollout CRD accepts: the CRD's schema has no `baseline` field, so the API server refuses
 * the field (or prunes it without validation), while annotations are kept as written.
 */
function readBaselineAnnotation(f: Field, strategy: RolloutStrategy): void {
  const field = f.get('metadata').get('annotations').get(BASELINE_ANNOTATION);
  const value = field.string();
  if (value === undefined) return;
  if (value !== 'true' && value !== 'false') {
    field.error('invalid-value', `must be "true" or "false", not ${JSON.stringify(value)}`);
    return;
  }
  if (strategy.type !== 'canary') {
    if (value === 'true') field.error('invalid-value', 'a baseline runs beside a canary; this Rollout is blue/green', 'remove the annotation');
    return;
  }
  strategy.baseline = { enabled: value === 'true' };
}
