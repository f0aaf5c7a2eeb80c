/**
 * The analysis blocks of a Rollout (`steps[].analysis`, `canary.analysis`,
 * `blueGreen.prePromotionAnalysis` / `postPromotionAnalysis`) and the references they make to
 * AnalysisTemplates, kept with their paths so cross-reference errors point at the Rollout.
 */
import type { AnalysisRunArgument, AnalysisTemplateRef, RolloutAnalysis } from './types.js';
import { readDryRun, readMeasurementRetention } from './analysis-template.js';
import type { Field } from './fields.js';
import type { FieldPath } from './yaml-positions.js';

/** Where an analysis block sits, as the run kinds of `baton simulate` name them. */
export type AnalysisKind = 'Step' | 'Background' | 'PrePromotion' | 'PostPromotion';

/** One analysis block and where its template references were written. */
export interface AnalysisUse {
  kind: AnalysisKind;
  path: FieldPath;
  analysis: RolloutAnalysis;
  templatePaths: FieldPath[];
}

/** Fields Argo's downward API resolves for `valueFrom.fieldRef` (validation.go InvalidAnalysisArgsMessage). */
const METADATA_REF = /^metadata\.(name|namespace|uid|labels|annotations|labels\['[^']+'\]|annotations\['[^']+'\])$/;

/** One `args[]` entry of an analysis block. */
export function readArg(f: Field): AnalysisRunArgument {
  const arg: AnalysisRunArgument = { name: f.get('name').string({ required: true }) ?? '' };
  const value = f.get('value').scalarString();
  if (value !== undefined) arg.value = value;
  const vf = f.get('valueFrom');
  if (vf.object()) {
    arg.valueFrom = {};
    const hash = vf.get('podTemplateHashValue').string();
    if (hash !== undefined) {
      if (hash === 'Stable' || hash === 'Latest') arg.valueFrom.podTemplateHashValue = hash;
      else vf.get('podTemplateHashValue').error('invalid-value', `"${hash}" is not a podTemplateHashValue`, 'use Stable or Latest');
    }
    const fr = vf.get('fieldRef');
    if (fr.object()) {
      const fieldPath = fr.get('fieldPath').string({ required: true }) ?? '';
      if (fieldPath.startsWith('metadata') && !METADATA_REF.test(fieldPath)) {
        fr.get('fieldPath').error(
          'invalid-arg',
          'Analyses arguments must refer to valid object metadata supported by downwardAPI',
          "use metadata.name, metadata.namespace, metadata.uid, metadata.labels['k'] or metadata.annotations['k']",
        );
      }
      arg.valueFrom.fieldRef = { fieldPath };
    }
    if (arg.valueFrom.podTemplateHashValue === undefined && arg.valueFrom.fieldRef === undefined && vf.keys().length === 0) {
      vf.error('missing-field', 'valueFrom needs podTemplateHashValue or fieldRef');
    }
    if (value !== undefined) f.error('invalid-arg', `arg '${arg.name}' has both value and valueFrom`);
  } else if (value === undefined) {
    // Argo's AnalysisRunArgument.value is a plain string: left out, it is passed as "".
    f.warning('empty-arg', `arg '${arg.name}' has no value or valueFrom; it is passed as an empty string`);
  }
  return arg;
}

/** Reads an analysis block; returns undefined when it is absent or not a map. */
export function readRolloutAnalysis(f: Field, kind: AnalysisKind, uses: AnalysisUse[]): RolloutAnalysis | undefined {
  if (!f.object()) return undefined;
  const templatePaths: FieldPath[] = [];
  const templates: AnalysisTemplateRef[] = [];
  const list = f.get('templates').list({ required: true, hint: 'add - templateName: <AnalysisTemplate name>' });
  if (f.get('templates').present && list.length === 0) f.get('templates').error('missing-field', 'needs at least one template');
  for (const t of list) {
    const name = t.get('templateName').string({ required: true });
    if (name === undefined) continue;
    templates.push({ templateName: name, clusterScope: t.get('clusterScope').bool(false) });
    templatePaths.push([...t.path, 'templateName']);
  }
  const analysis: RolloutAnalysis = {
    templates,
    args: f.get('args').list().map(readArg),
    dryRun: readDryRun(f.get('dryRun')),
    measurementRetention: readMeasurementRetention(f.get('measurementRetention')),
  };
  uses.push({ kind, path: f.path, analysis, templatePaths });
  return analysis;
}
