/**
 * A Rollout's analysis arguments turned into values, as Argo's
 * `BuildArgumentsForRolloutAnalysisRun` (`utils/analysis/factory.go`) does: `value` as written,
 * `valueFrom.podTemplateHashValue` from the stable or latest ReplicaSet, `valueFrom.fieldRef`
 * from the Rollout itself (Kubernetes' `fieldpath.ExtractFieldPathAsString` for `metadata.*`,
 * a walk over the Rollout's JSON for any other path).
 */
import { BatonError } from '../errors.js';
import type { AnalysisRunArgument, Rollout, Secret } from '../spec/types.js';
import type { RunArgument } from './types.js';

/** What rollout arguments are resolved against. */
export interface RolloutArgsContext {
  /** Pod-template hash of the stable revision; unset before the first promotion. */
  stablePodHash?: string;
  latestPodHash: string;
  rollout: Rollout;
}

/** An argument that cannot be given a value; `details.arg` names it. */
export class AnalysisArgError extends BatonError {
  constructor(arg: string, message: string) {
    super('analysis-arg', `args.${arg}: ${message}`, { arg });
  }
}

/**
 * Values for a Rollout's analysis `args`, in order; an argument with neither `value` nor
 * `valueFrom` stays without value (the template's default then applies). Throws AnalysisArgError
 * (code `analysis-arg`) for one that cannot be resolved.
 */
export function resolveRolloutArgs(args: readonly AnalysisRunArgument[], ctx: RolloutArgsContext): RunArgument[] {
  return args.map((arg) => {
    const value = resolveOne(arg, ctx);
    return value === undefined ? { name: arg.name } : { name: arg.name, value };
  });
}

function resolveOne(arg: AnalysisRunArgument, ctx: RolloutArgsContext): string | undefined {
  const from = arg.valueFrom;
  if (!from) return arg.value;
  if (from.podTemplateHashValue !== undefined) {
    switch (from.podTemplateHashValue) {
      case 'Latest':
        return ctx.latestPodHash;
      case 'Stable':
        if (ctx.stablePodHash === undefined) {
          throw new AnalysisArgError(arg.name, 'valueFrom.podTemplateHashValue is Stable, but the rollout has no stable revision yet');
        }
        return ctx.stablePodHash;
      default: {
        const never: never = from.podTemplateHashValue;
        throw new AnalysisArgError(arg.name, `valueFrom.podTemplateHashValue must be Stable or Latest, not ${JSON.stringify(never)}`);
      }
    }
  }
  if (from.fieldRef !== undefined) {
    const path = from.fieldRef.fieldPath;
    return path.startsWith('metadata') ? metadataField(arg.name, path, ctx.rollout) : specField(arg.name, path, ctx.rollout);
  }
  return arg.value;
}

/** Kubernetes `fieldpath.ExtractFieldPathAsString` (pkg/fieldpath/fieldpath.go). */
function metadataField(arg: string, path: string, rollout: Rollout): string {
  const meta = rollout.metadata;
  const subscript = /^metadata\.(labels|annotations)\['(.*)'\]$/.exec(path);
  if (subscript) {
    const map = subscript[1] === 'labels' ? meta.labels : meta.annotations;
    // A missing key gives "", as in Kubernetes.
    return map[subscript[2] as string] ?? '';
  }
  switch (path) {
    case 'metadata.name':
      return meta.name;
    case 'metadata.namespace':
      return meta.namespace ?? '';
    case 'metadata.labels':
      return formatMap(meta.labels);
    case 'metadata.annotations':
      return formatMap(meta.annotations);
    default:
      throw new AnalysisArgError(arg, `unsupported fieldPath: ${path}`);
  }
}

/** `fieldpath.FormatMap`: sorted `key="value"` lines. */
function formatMap(map: Record<string, string>): string {
  return Object.keys(map)
    .sort()
    .map((k) => `${k}=${JSON.stringify(map[k])}`)
    .join('\n');
}

/**
 * Argo's `extractValueFromRollout`: split the path on `.`, `[` and `]`, walk the Rollout's JSON
 * (`spec.replicas`, `spec.template.spec.containers[0].image`, `spec.strategy.canary.canaryService`)
 * and print the primitive found there.
 */
function specField(arg: string, path: string, rollout: Rollout): string {
  let node: unknown = rolloutJson(rollout);
  for (const section of path.split(/[.[\]]+/)) {
    if (section === '') continue;
    if (Array.isArray(node)) {
      if (!/^\d+$/.test(section)) throw new AnalysisArgError(arg, `invalid index '${section}'`);
      const i = Number(section);
      if (i >= node.length) throw new AnalysisArgError(arg, `index ${i} out of range`);
      node = node[i];
    } else if (node !== null && typeof node === 'object') {
      node = (node as Record<string, unknown>)[section];
    } else {
      throw new AnalysisArgError(arg, `invalid path ${path} in rollout`);
    }
  }
  if (node === undefined || node === null) throw new AnalysisArgError(arg, `invalid path ${path} in rollout`);
  if (typeof node === 'string') return node;
  if (typeof node === 'number' || typeof node === 'boolean') return String(node);
  throw new AnalysisArgError(arg, `path ${path} in rollout must terminate in a primitive value`);
}

/**
 * The Rollout in Argo's JSON shape where Baton's typed form differs: the strategy under its
 * `canary` / `blueGreen` key, the pod spec's unread fields merged back, canary steps as written.
 */
function rolloutJson(rollout: Rollout): Record<string, unknown> {
  const { source: _source, ...rest } = rollout;
  const { strategy, template, ...spec } = rollout.spec;
  const { type, ...strategyFields } = strategy;
  const strategyJson: Record<string, unknown> = { ...strategyFields };
  if (strategy.type === 'canary') strategyJson.steps = strategy.steps.map(stepJson);
  const out: Record<string, unknown> = {
    ...rest,
    spec: {
      ...spec,
      strategy: { [type]: strategyJson },
      ...(template ? { template: { ...template, spec: { ...template.spec.raw, ...template.spec, raw: undefined } } } : {}),
    },
  };
  return out;
}

function stepJson(step: Extract<Rollout['spec']['strategy'], { type: 'canary' }>['steps'][number]): unknown {
  switch (step.kind) {
    case 'setWeight':
      return { setWeight: step.weight };
    case 'pause':
      return { pause: step.duration === undefined ? {} : { duration: step.duration } };
    case 'analysis':
      return { analysis: step.analysis };
    case 'setCanaryScale': {
      const { kind: _k, ...rest } = step;
      return { setCanaryScale: rest };
    }
    case 'setHeaderRoute': {
      const { kind: _k, ...rest } = step;
      return { setHeaderRoute: rest };
    }
    case 'setMirrorRoute': {
      const { kind: _k, ...rest } = step;
      return { setMirrorRoute: rest };
    }
    case 'experiment':
      return { experiment: step.experiment };
    case 'plugin':
      return { plugin: step.raw };
    default: {
      const never: never = step;
      return never;
    }
  }
}

/**
 * Reads an AnalysisTemplate arg's `valueFrom.secretKeyRef`: the value, or why not, worded as
 * Argo's `resolveArgs` reports it (`secrets "db" not found`, `key 'k' does not exist in secret
 * 'db'`). A function so the Secrets can come from the manifests given (local runs and simulate)
 * or, later, from a cluster.
 */
export type SecretLookup = (ref: { name: string; key: string }) => { value: string } | { error: string };

/** A {@link SecretLookup} over the v1 Secrets given with the manifests. */
export function secretLookupFromManifests(secrets: readonly Secret[] = []): SecretLookup {
  return ({ name, key }) => {
    const secret = secrets.find((s) => s.metadata.name === name);
    if (!secret) return { error: `secrets "${name}" not found` };
    if (!Object.prototype.hasOwnProperty.call(secret.data, key)) return { error: `key '${key}' does not exist in secret '${name}'` };
    return { value: secret.data[key] as string };
  };
}
