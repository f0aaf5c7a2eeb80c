/**
 * `steps[].experiment` (Argo `RolloutExperimentStep`, pkg/apis/rollouts/v1alpha1/types.go), checked
 * as Argo's `ValidateRolloutStrategyCanary` checks it (validation.go: unique template names,
 * weights only with traffic routing, the sum of weights within the maximum) and worded as Argo
 * words it.
 */
import { readDryRun } from './analysis-template.js';
import { readMetadata } from './canary.js';
import { parseDurationOrSeconds } from './duration.js';
import { describeValue, type Field } from './fields.js';
import { readArg, type AnalysisUse } from './rollout-analysis.js';
import type { ExperimentAnalysis, ExperimentStep, ExperimentTemplate, TrafficRouting } from './types.js';

const STEP_KEYS = ['templates', 'duration', 'analyses', 'dryRun', 'analysisRunMetadata', 'scaleDownDelaySeconds'];
const TEMPLATE_KEYS = ['name', 'specRef', 'replicas', 'metadata', 'selector', 'weight', 'service'];
const ANALYSIS_KEYS = ['name', 'templateName', 'clusterScope', 'args', 'requiredForCompletion'];

/** Reads an experiment step; undefined when it is not a map (reported). */
export function readExperimentStep(f: Field, trafficRouting: TrafficRouting | undefined, maxWeight: number, uses: AnalysisUse[]): ExperimentStep | undefined {
  if (!f.object({ required: true })) return undefined;
  f.checkKeys(STEP_KEYS, 'an experiment step');
  const templates: ExperimentTemplate[] = [];
  const list = f.get('templates').list({ required: true });
  if (f.get('templates').present && list.length === 0) f.get('templates').error('missing-field', 'An experiment step needs at least one template');
  let weightSum = 0;
  for (const tf of list) {
    const t = readTemplate(tf);
    if (!t) continue;
    if (templates.some((x) => x.name === t.name)) tf.get('name').error('duplicate-name', `Experiment template name "${t.name}" must be unique`);
    if (t.weight !== undefined) {
      if (!trafficRouting) tf.get('weight').error('needs-traffic-routing', 'Experiment template weight cannot be set unless TrafficRouting is enabled', 'add spec.strategy.canary.trafficRouting');
      weightSum += t.weight;
    }
    templates.push(t);
  }
  if (weightSum > maxWeight) f.get('templates').error('invalid-weight', `Sum of weights of the experiment templates (${weightSum}) must not be above ${maxWeight}`);
  const step: ExperimentStep = { templates, analyses: [], dryRun: readDryRun(f.get('dryRun')) };
  const d = f.get('duration');
  if (d.present) {
    const v = d.value;
    const ms = typeof v === 'number' || typeof v === 'string' ? parseDurationOrSeconds(v) : undefined;
    if (ms === undefined) d.error('invalid-duration', `${describeValue(v)} is not a duration`, 'use 30s, 1m, 1h');
    else step.duration = Math.trunc(ms / 1000);
  }
  for (const af of f.get('analyses').list()) {
    const a = readAnalysis(af);
    if (!a) continue;
    if (step.analyses.some((x) => x.name === a.name)) af.get('name').error('duplicate-name', `Experiment analysis name "${a.name}" must be unique`);
    step.analyses.push(a);
    // Cross-references check the template exists, as for any analysis block.
    uses.push({ kind: 'Step', path: af.path, analysis: { templates: [{ templateName: a.templateName, clusterScope: a.clusterScope }], args: a.args, dryRun: step.dryRun, measurementRetention: [] }, templatePaths: [[...af.path, 'templateName']] });
  }
  if (f.get('scaleDownDelaySeconds').present) f.get('scaleDownDelaySeconds').warning('unsupported', 'scaleDownDelaySeconds is ignored: Baton drains the template revisions before stopping them');
  return step;
}

function readTemplate(f: Field): ExperimentTemplate | undefined {
  if (!f.object({ required: true })) return undefined;
  f.checkKeys(TEMPLATE_KEYS, 'an experiment template');
  const name = f.get('name').string({ required: true });
  const specRef = f.get('specRef').string({ required: true });
  if (specRef !== undefined && specRef !== 'stable' && specRef !== 'canary') {
    f.get('specRef').error('invalid-value', 'Invalid template step SpecRef: must be canary or stable', `"${specRef}" is neither`);
    return undefined;
  }
  if (name === undefined || specRef === undefined) return undefined;
  const t: ExperimentTemplate = { name, specRef, replicas: f.get('replicas').int({ min: 0 }) ?? 1 };
  const weight = f.get('weight').int({ min: 0, max: 100 });
  if (weight !== undefined) t.weight = weight;
  const metadata = readMetadata(f.get('metadata'));
  if (metadata) t.metadata = metadata;
  if (f.get('selector').present) f.get('selector').warning('unsupported', 'selector is ignored: a template revision is selected by its own pod-template hash');
  if (f.get('service').present) f.get('service').warning('unsupported', 'service is ignored: a template with a weight gets its own gateway cluster');
  return t;
}

function readAnalysis(f: Field): ExperimentAnalysis | undefined {
  if (!f.object({ required: true })) return undefined;
  f.checkKeys(ANALYSIS_KEYS, 'an experiment analysis');
  const name = f.get('name').string({ required: true });
  const templateName = f.get('templateName').string({ required: true });
  if (name === undefined || templateName === undefined) return undefined;
  return {
    name,
    templateName,
    clusterScope: f.get('clusterScope').bool(false),
    args: f.get('args').list().map(readArg),
    requiredForCompletion: f.get('requiredForCompletion').bool(false),
  };
}
