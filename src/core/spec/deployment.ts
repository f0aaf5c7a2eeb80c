/** Kubernetes apps/v1 Deployment, defaults from `pkg/apis/apps/v1/defaults.go`. */
import type { Deployment, ManifestBase } from './types.js';
import {
  DEFAULT_MAX_SURGE,
  DEFAULT_MAX_UNAVAILABLE,
  DEFAULT_MIN_READY_SECONDS,
  DEFAULT_PROGRESS_DEADLINE_SECONDS,
  DEFAULT_REPLICAS,
  DEFAULT_REVISION_HISTORY_LIMIT,
} from './defaults.js';
import type { Field } from './fields.js';
import { readLabelSelector, readPodTemplate, selectorMatches } from './pod-template.js';

/** Reads an apps/v1 Deployment with its defaults; the selector must match the template. */
export function readDeployment(f: Field, base: Omit<ManifestBase<string>, 'kind'>): Deployment {
  const spec = f.get('spec');
  spec.object({ required: true });
  const selector = readLabelSelector(spec.get('selector')) ?? { matchLabels: {}, matchExpressions: [] };
  if (!spec.get('selector').present) spec.get('selector').error('missing-field', 'is required', 'add matchLabels that the pod template carries');
  // A Deployment referenced by a Rollout's workloadRef may be scaled to 0 with an empty
  // template; Argo still needs the template, so it stays required here.
  const template = readPodTemplate(spec.get('template'), { required: true }) ?? {
    metadata: { labels: {}, annotations: {} },
    spec: { containers: [], terminationGracePeriodSeconds: 30, raw: {} },
  };
  if (spec.get('selector').present && spec.get('template').present && !selectorMatches(selector, template.metadata.labels)) {
    spec.get('template').get('metadata').get('labels').error('selector-mismatch', '`selector` does not match template `labels`');
  }
  const strategyField = spec.get('strategy');
  const type = strategyField.get('type').string() ?? 'RollingUpdate';
  let strategy: Deployment['spec']['strategy'];
  if (type === 'Recreate') {
    strategy = { type: 'Recreate' };
  } else {
    if (type !== 'RollingUpdate') strategyField.get('type').error('invalid-value', `"${type}" is not a Deployment strategy`, 'use RollingUpdate or Recreate');
    const ru = strategyField.get('rollingUpdate');
    strategy = {
      type: 'RollingUpdate',
      rollingUpdate: {
        maxSurge: ru.get('maxSurge').intOrString() ?? DEFAULT_MAX_SURGE,
        maxUnavailable: ru.get('maxUnavailable').intOrString() ?? DEFAULT_MAX_UNAVAILABLE,
      },
    };
  }
  return {
    ...base,
    kind: 'Deployment',
    spec: {
      replicas: spec.get('replicas').int({ min: 0 }) ?? DEFAULT_REPLICAS,
      selector,
      template,
      minReadySeconds: spec.get('minReadySeconds').int({ min: 0 }) ?? DEFAULT_MIN_READY_SECONDS,
      progressDeadlineSeconds: spec.get('progressDeadlineSeconds').int({ min: 0 }) ?? DEFAULT_PROGRESS_DEADLINE_SECONDS,
      revisionHistoryLimit: spec.get('revisionHistoryLimit').int({ min: 0 }) ?? DEFAULT_REVISION_HISTORY_LIMIT,
      paused: spec.get('paused').bool(false),
      strategy,
    },
  };
}
