/**
 * A Rollout and the objects it names, as the API server holds them, read by the same spec loader
 * as manifests on disk (src/core/spec): each object becomes a JSON document named after its kind
 * and key (`Rollout tbyte/frontend`), so a problem is reported with the object and field path it
 * is in, and Argo's and Kubernetes' defaults are applied the same way. What a Rollout names: its
 * (Cluster)AnalysisTemplates, its Services, its VirtualServices and DestinationRule, and the
 * Secrets its templates' args read.
 */
import { formatDiagnostic, parseManifests, type Diagnostic } from '../../core/spec/index.js';
import { createParseCache, type ManifestFile } from '../../core/spec/load.js';
import type { ManifestSet } from '../../core/spec/types.js';
import { objectKey, type KubeObject } from './resources.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isObj) : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);

/** The names a Rollout refers to (read off the raw object, before it is validated). */
export interface RolloutReferences {
  templates: { name: string; clusterScope: boolean }[];
  services: string[];
  virtualServices: { name: string; namespace?: string }[];
  destinationRules: string[];
  workloadRef?: { kind: string; name: string };
}

function templateRefs(analysis: unknown): { name: string; clusterScope: boolean }[] {
  if (!isObj(analysis)) return [];
  return list(analysis.templates).flatMap((t) => (str(t.templateName) ? [{ name: str(t.templateName) ?? '', clusterScope: t.clusterScope === true }] : []));
}

function splitVs(name: string): { name: string; namespace?: string } {
  const dot = name.indexOf('.');
  return dot < 0 ? { name } : { name: name.slice(0, dot), namespace: name.slice(dot + 1) };
}

/** See {@link RolloutReferences}. */
export function rolloutReferences(rollout: KubeObject): RolloutReferences {
  const spec = isObj(rollout.spec) ? rollout.spec : {};
  const strategy = isObj(spec.strategy) ? spec.strategy : {};
  const refs: RolloutReferences = { templates: [], services: [], virtualServices: [], destinationRules: [] };
  const canary = isObj(strategy.canary) ? strategy.canary : undefined;
  const blueGreen = isObj(strategy.blueGreen) ? strategy.blueGreen : undefined;
  if (canary) {
    for (const step of list(canary.steps)) refs.templates.push(...templateRefs(step.analysis));
    refs.templates.push(...templateRefs(canary.analysis));
    for (const k of ['canaryService', 'stableService']) if (str(canary[k])) refs.services.push(str(canary[k]) ?? '');
    const tr = isObj(canary.trafficRouting) ? canary.trafficRouting : {};
    const istio = isObj(tr.istio) ? tr.istio : undefined;
    if (istio) {
      const one = isObj(istio.virtualService) ? [istio.virtualService] : [];
      for (const vs of [...one, ...list(istio.virtualServices)]) if (str(vs.name)) refs.virtualServices.push(splitVs(str(vs.name) ?? ''));
      if (isObj(istio.destinationRule) && str(istio.destinationRule.name)) refs.destinationRules.push(str(istio.destinationRule.name) ?? '');
    }
  }
  if (blueGreen) {
    refs.templates.push(...templateRefs(blueGreen.prePromotionAnalysis), ...templateRefs(blueGreen.postPromotionAnalysis));
    for (const k of ['activeService', 'previewService']) if (str(blueGreen[k])) refs.services.push(str(blueGreen[k]) ?? '');
  }
  if (isObj(spec.workloadRef) && str(spec.workloadRef.name)) refs.workloadRef = { kind: str(spec.workloadRef.kind) ?? '', name: str(spec.workloadRef.name) ?? '' };
  return refs;
}

/** The Secrets a template's args read (`valueFrom.secretKeyRef.name`). */
export function secretRefs(template: KubeObject): string[] {
  const spec = isObj(template.spec) ? template.spec : {};
  return list(spec.args).flatMap((a) => {
    const from = isObj(a.valueFrom) ? a.valueFrom : {};
    const ref = isObj(from.secretKeyRef) ? from.secretKeyRef : {};
    return str(ref.name) ? [str(ref.name) ?? ''] : [];
  });
}

/** The result of reading one Rollout's objects: the set, and its errors (none when it can run). */
export interface ReadResult {
  set: ManifestSet;
  errors: Diagnostic[];
}

/**
 * Reads objects into a ManifestSet (see the file comment). Keeps the JSON text of each object
 * version, so an unchanged object is not serialised and parsed again.
 */
export class ObjectReader {
  private readonly files = new Map<string, { version: string; file: ManifestFile }>();
  private readonly cache = createParseCache();

  read(objects: readonly KubeObject[]): ReadResult {
    const files = objects.map((o) => this.fileOf(o));
    const { set, diagnostics } = parseManifests(files, {}, this.cache);
    return { set, errors: diagnostics.filter((d) => d.severity === 'error') };
  }

  /** Forgets the texts of objects not read since the last call to `prune` (deleted objects). */
  prune(keep: (path: string) => boolean): void {
    for (const k of [...this.files.keys()]) if (!keep(k)) this.files.delete(k);
  }

  private fileOf(o: KubeObject): ManifestFile {
    const path = `${o.kind ?? 'Object'} ${objectKey(o)}`;
    const version = `${o.metadata.uid ?? ''}@${o.metadata.resourceVersion ?? ''}`;
    const cached = this.files.get(path);
    if (cached && cached.version === version && version !== '@') return cached.file;
    const { status: _status, ...rest } = o;
    const { managedFields: _mf, ...metadata } = o.metadata as KubeObject['metadata'] & { managedFields?: unknown };
    const file: ManifestFile = { path, text: JSON.stringify({ ...rest, metadata }) };
    this.files.set(path, { version, file });
    return file;
  }
}

/**
 * The InvalidSpec message from the loader's errors, each naming its object and field path:
 * `Rollout tbyte/frontend spec.strategy.canary.steps[1].pause.duration: "30x" is not a duration (use 30s, 1m, 1h)`.
 * (Every object is one line of JSON, so line numbers would say nothing.)
 */
export function invalidSpecMessage(errors: readonly Diagnostic[]): string {
  return errors.map((d) => formatDiagnostic({ ...d, line: 0 })).join('; ');
}
