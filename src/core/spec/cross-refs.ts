/**
 * Checks between manifests, as Argo's `validation_references.go` makes them against the cluster,
 * made here against the given files: analysis templates exist (and their args resolve, and a
 * step's metrics end), services exist and select the Rollout's pods, the Istio VirtualService
 * routes hold the stable and canary destinations (`rollout/trafficrouting/istio/istio.go`
 * ValidateHTTPRoutes), `workloadRef` resolves to a Deployment.
 *
 * Things that may live in the cluster instead of the files (VirtualServices, DestinationRules,
 * a referenced Deployment) are warnings when absent; templates and services are errors, as the
 * lead's contract for `baton lint` asks.
 */
import type {
  AnalysisTemplateSpec,
  ManifestSet,
  Rollout,
  Service,
  VirtualService,
} from './types.js';
import { closest, type Reporter } from './fields.js';
import { selectorMatches } from './pod-template.js';
import type { RolloutRefs } from './rollout.js';
import type { AnalysisUse } from './rollout-analysis.js';
import type { FieldPath } from './yaml-positions.js';

/** A parsed Rollout with what it refers to and where to report. */
export interface RolloutEntry {
  rollout: Rollout;
  refs: RolloutRefs;
  reporter: Reporter;
}

/** `file:line` of a path in another manifest, for hints. */
export type Where = (manifest: object, path: FieldPath) => string;

/** Argo's pod-template-hash label, which Services may carry and templates never do. */
const POD_TEMPLATE_HASH = 'rollouts-pod-template-hash';

function sameNamespace(a: string | undefined, b: string | undefined): boolean {
  return a === undefined || b === undefined || a === b;
}

function findByName<T extends { metadata: { name: string; namespace?: string } }>(list: readonly T[], name: string, namespace: string | undefined): T | undefined {
  return list.find((m) => m.metadata.name === name && sameNamespace(m.metadata.namespace, namespace));
}

/** Runs every cross-manifest check; resolves `workloadRef` templates into the Rollouts. */
export function checkCrossRefs(set: ManifestSet, entries: readonly RolloutEntry[], where: Where): void {
  for (const entry of entries) {
    resolveWorkloadRef(set, entry);
    checkServices(set, entry);
    for (const use of entry.refs.analyses) checkAnalysis(set, entry, use);
    checkIstio(set, entry, where);
  }
}

function resolveWorkloadRef(set: ManifestSet, { rollout, reporter }: RolloutEntry): void {
  const ref = rollout.spec.workloadRef;
  if (!ref || ref.kind !== 'Deployment' || !ref.name) return;
  const path = ['spec', 'workloadRef', 'name'];
  const dep = findByName(set.deployments, ref.name, rollout.metadata.namespace);
  if (!dep) {
    reporter.warning('workload-not-found', path, `Deployment "${ref.name}" is not in the given files`, 'it may live in the cluster; include it to lint the pod template');
    return;
  }
  rollout.spec.template = dep.spec.template;
  // Argo's templateRef resolver takes the selector from the Deployment when the Rollout has none.
  rollout.spec.selector ??= dep.spec.selector;
  if (!selectorMatches(rollout.spec.selector, dep.spec.template.metadata.labels)) {
    reporter.error('selector-mismatch', ['spec', 'selector'], `\`selector\` does not match the labels of Deployment "${ref.name}"'s template`);
  }
}

function checkServices(set: ManifestSet, { rollout, reporter }: RolloutEntry): void {
  const s = rollout.spec.strategy;
  const wanted: { key: string; name: string | undefined; labels: Record<string, string> | undefined }[] =
    s.type === 'canary'
      ? [
          { key: 'canaryService', name: s.canaryService, labels: s.canaryMetadata?.labels },
          { key: 'stableService', name: s.stableService, labels: s.stableMetadata?.labels },
        ]
      : [
          { key: 'activeService', name: s.activeService, labels: s.activeMetadata?.labels },
          { key: 'previewService', name: s.previewService, labels: s.previewMetadata?.labels },
        ];
  for (const { key, name, labels } of wanted) {
    if (!name) continue;
    const path = ['spec', 'strategy', s.type, key];
    const svc = findByName(set.services, name, rollout.metadata.namespace);
    if (!svc) {
      const near = closest(name, set.services.map((x) => x.metadata.name));
      reporter.error('service-not-found', path, `Service "${name}" not found in the given files`, near ? `did you mean "${near}"?` : `add a v1 Service named ${name} selecting the Rollout's pods`);
      continue;
    }
    checkServiceSelector(rollout, svc, labels, path, reporter);
  }
}

/** Argo `ValidateService`: every selector label but the pod-template hash is on the pods. */
function checkServiceSelector(rollout: Rollout, svc: Service, extra: Record<string, string> | undefined, path: FieldPath, reporter: Reporter): void {
  const podLabels = rollout.spec.template?.metadata.labels;
  if (!podLabels) return;
  for (const [k, v] of Object.entries(svc.spec.selector)) {
    if (k === POD_TEMPLATE_HASH) continue;
    if (podLabels[k] === v || extra?.[k] === v) continue;
    reporter.error('service-selector-mismatch', path, `Service "${svc.metadata.name}" has unmatch label "${k}" in rollout`, `the pod template has ${k}=${podLabels[k] ?? '(none)'}, the Service selects ${k}=${v}`);
  }
  // A named targetPort must name a container port, or the Service has no endpoints.
  const portNames = new Set(rollout.spec.template?.spec.containers.flatMap((c) => c.ports.map((p) => p.name)) ?? []);
  for (const port of svc.spec.ports) {
    if (typeof port.targetPort === 'string' && !/^\d+$/.test(port.targetPort) && !portNames.has(port.targetPort)) {
      reporter.warning('unknown-target-port', path, `Service "${svc.metadata.name}" targets port "${port.targetPort}", which no container of the Rollout names`, 'name a containerPort so, or use the port number');
    }
  }
}

function didYouMean(name: string, known: string[]): string | undefined {
  const near = closest(name, known);
  return near ? `did you mean "${near}"?` : undefined;
}

function checkAnalysis(set: ManifestSet, { rollout, reporter }: RolloutEntry, use: AnalysisUse): void {
  const specs: { name: string; spec: AnalysisTemplateSpec }[] = [];
  use.analysis.templates.forEach((ref, i) => {
    const path = use.templatePaths[i] ?? use.path;
    const found = ref.clusterScope
      ? set.clusterAnalysisTemplates.find((t) => t.metadata.name === ref.templateName)
      : findByName(set.analysisTemplates, ref.templateName, rollout.metadata.namespace);
    if (found) {
      specs.push({ name: ref.templateName, spec: found.spec });
      return;
    }
    const kind = ref.clusterScope ? 'ClusterAnalysisTemplate' : 'AnalysisTemplate';
    const other = ref.clusterScope ? set.analysisTemplates : set.clusterAnalysisTemplates;
    const hint = other.some((t) => t.metadata.name === ref.templateName)
      ? ref.clusterScope
        ? 'an AnalysisTemplate of that name exists: remove clusterScope'
        : 'a ClusterAnalysisTemplate of that name exists: add clusterScope: true'
      : didYouMean(ref.templateName, (ref.clusterScope ? set.clusterAnalysisTemplates : set.analysisTemplates).map((t) => t.metadata.name)) ?? `add an ${kind} named ${ref.templateName}`;
    reporter.error('template-not-found', path, `${kind} "${ref.templateName}" not found in the given files`, hint);
  });
  if (specs.length !== use.analysis.templates.length) return;
  const templatesPath = [...use.path, 'templates'];

  // Several templates: metrics are concatenated, so names must be unique across them.
  const seen = new Map<string, string>();
  for (const { name, spec } of specs) {
    for (const m of spec.metrics) {
      const first = seen.get(m.name);
      if (first !== undefined && first !== name) {
        reporter.error('duplicate-metric', templatesPath, `metric "${m.name}" is in both ${first} and ${name}`, 'metric names must be unique across the templates of one analysis');
      }
      seen.set(m.name, name);
    }
  }

  // Argo ValidateAnalysisTemplateWithType: a step or blue/green analysis must end.
  if (use.kind !== 'Background') {
    for (const { name, spec } of specs) {
      for (const m of spec.metrics) {
        const count = typeof m.count === 'string' && /^\d+$/.test(m.count.trim()) ? Number(m.count) : m.count;
        if (m.interval !== undefined && (count === undefined || count === 0)) {
          reporter.error(
            'runs-indefinitely',
            templatesPath,
            // Argo prints the nil *IntOrString with %s: `<nil>`.
            `AnalysisTemplate ${name} has metric ${m.name} which runs indefinitely. Invalid value for count: ${count ?? '<nil>'}`,
            `set count on metric ${m.name}, or use it in background analysis`,
          );
        }
      }
    }
  }

  // Argo MergeArgs: a template argument without a value must come from the Rollout.
  const given = new Set(use.analysis.args.map((a) => a.name));
  for (const { spec } of specs) {
    for (const arg of spec.args) {
      if (arg.value !== undefined || arg.valueFrom !== undefined || given.has(arg.name)) continue;
      reporter.error('unresolved-arg', [...use.path, 'args'], `args.${arg.name} was not resolved`, `add - {name: ${arg.name}, value: ...} to the analysis args`);
    }
  }
}

function checkIstio(set: ManifestSet, { rollout, refs, reporter }: RolloutEntry, where: Where): void {
  const s = rollout.spec.strategy;
  if (s.type !== 'canary' || !s.trafficRouting?.istio) return;
  const istio = s.trafficRouting.istio;
  for (const use of refs.virtualServices) {
    // Argo accepts `name.namespace`.
    const [name = '', namespace] = use.name.split('.');
    const vs = findByName(set.virtualServices, name, namespace ?? rollout.metadata.namespace);
    if (!vs) {
      reporter.warning('virtual-service-not-found', use.path, `VirtualService "${use.name}" is not in the given files`, 'it may live in the cluster; include it to check its routes');
      continue;
    }
    checkVirtualService(vs, use.routes, s.stableService, s.canaryService, istio.destinationRule, use.path, reporter, where);
  }
  const dr = istio.destinationRule;
  if (dr?.name && refs.destinationRulePath) {
    const found = findByName(set.destinationRules, dr.name.split('.')[0] ?? '', rollout.metadata.namespace);
    if (!found) {
      reporter.warning('destination-rule-not-found', refs.destinationRulePath, `DestinationRule "${dr.name}" is not in the given files`, 'it may live in the cluster');
      return;
    }
    for (const subset of [dr.canarySubsetName, dr.stableSubsetName]) {
      if (subset && !found.spec.subsets.some((x) => x.name === subset)) {
        reporter.error('subset-not-found', refs.destinationRulePath, `subset "${subset}" not found in DestinationRule "${dr.name}"`, `add it under spec.subsets at ${where(found, ['spec', 'subsets'])}`);
      }
    }
  }
}

function checkVirtualService(
  vs: VirtualService,
  routeNames: readonly string[],
  stableSvc: string | undefined,
  canarySvc: string | undefined,
  dRule: { canarySubsetName: string; stableSubsetName: string } | undefined,
  path: FieldPath,
  reporter: Reporter,
  where: Where,
): void {
  const prefix = 'Istio VirtualService has invalid HTTP routes. Error:';
  const http = vs.spec.http;
  if (http.length === 0) {
    if (vs.spec.tls.length === 0 && vs.spec.tcp.length === 0) {
      reporter.error('invalid-virtual-service', path, 'Unable to get any of the HTTP, TCP or TLS routes for the Istio VirtualService', `add spec.http to ${where(vs, ['spec'])}`);
    }
    return;
  }
  const indexes: number[] = [];
  if (routeNames.length === 0) {
    if (http.length > 1) {
      reporter.error(
        'route-not-found',
        path,
        `${prefix} spec.http[] should be set in VirtualService and it must have exactly one route when omitting spec.strategy.canary.trafficRouting.istio.virtualService.routes`,
        `name the canary route under virtualService.routes (the VirtualService at ${where(vs, ['spec', 'http'])} has ${http.length})`,
      );
      return;
    }
    indexes.push(0);
  } else {
    const named = http.map((r) => r.name).filter((n): n is string => n !== undefined);
    routeNames.forEach((routeName, k) => {
      const i = http.findIndex((r) => r.name === routeName);
      if (i < 0) {
        // Point at the routes entry itself; the VirtualService reference path ends in `name`.
        const routePath: FieldPath = path[path.length - 1] === 'name' ? [...path.slice(0, -1), 'routes', k] : path;
        const hint = named.length
          ? `the VirtualService at ${where(vs, ['spec', 'http'])} has routes ${named.map((n) => `"${n}"`).join(', ')}`
          : `the VirtualService at ${where(vs, ['spec', 'http'])} has no named routes: add a name to the canary route`;
        reporter.error('route-not-found', routePath, `${prefix} Route '${routeName}' is not found`, hint);
      } else {
        indexes.push(i);
      }
    });
  }
  for (const i of indexes) {
    const route = http[i];
    if (!route) continue;
    // Argo getHost: the short name before the first dot (`svc.ns.svc.cluster.local` -> `svc`).
    const hosts = route.route.map((d) => d.destination.host.split('.')[0]);
    const subsets = route.route.map((d) => d.destination.subset);
    const at = where(vs, ['spec', 'http', i, 'route']);
    let problem: string | undefined;
    if (dRule) {
      if (!subsets.includes(dRule.canarySubsetName)) problem = `Canary DestinationRule subset '${dRule.canarySubsetName}' not found in route`;
      else if (!subsets.includes(dRule.stableSubsetName)) problem = `Stable DestinationRule subset '${dRule.stableSubsetName}' not found in route`;
    } else {
      if (!canarySvc || !hosts.includes(canarySvc)) problem = `Canary Service '${canarySvc ?? ''}' not found in route`;
      else if (!stableSvc || !hosts.includes(stableSvc)) problem = `Stable Service '${stableSvc ?? ''}' not found in route`;
    }
    if (problem) reporter.error('route-destinations', path, `${prefix} ${problem}`, `the route at ${at} needs a destination for both the stable and the canary service`);
  }
}
