/**
 * YAML text -> typed manifests with defaults, and every problem found on the way.
 *
 * Pure: takes file contents, returns `{set, diagnostics}`; reading files is the fs adapter's job.
 * Each document is read on its own, so a broken document does not hide the problems of the
 * next; cross-references are checked once every document is read.
 */
import { LineCounter, parseAllDocuments, type Document } from 'yaml';
import { BatonError } from '../errors.js';
import { compileCondition, ExprSyntaxError } from '../expr/index.js';
import { parsePromQL } from '../../promql/parse.js';
import type { Diagnostic } from './diagnostics.js';
import type { ManifestBase, ManifestSet, SourceLocation } from './types.js';
import { readAnalysisTemplateSpec, type ConditionChecker, type TemplateCheckers } from './analysis-template.js';
import { checkCrossRefs, type RolloutEntry } from './cross-refs.js';
import { checkExtensions } from './extensions.js';
import { readDeployment } from './deployment.js';
import { closest, type Field, Reporter } from './fields.js';
import { readDestinationRule, readGateway, readVirtualService } from './istio.js';
import { readObjectMeta } from './pod-template.js';
import { readRollout } from './rollout.js';
import { checkSecretRefs, readSecret } from './secret.js';
import { readService } from './service.js';
import { createLocator, formatPath, type FieldPath } from './yaml-positions.js';

/** One file to parse: its path (for diagnostics) and its text. */
export interface ManifestFile {
  path: string;
  text: string;
  /**
   * Found by walking a directory rather than named: its YAML documents that are no Kubernetes
   * object at all (no apiVersion, no kind) are skipped without a warning.
   */
  fromDirectory?: boolean;
}

/** Checks that need a language implementation; each has a sensible default or none. */
export interface ParseOptions extends TemplateCheckers {
  /**
   * Compiles a success/failure condition; returns the problem, or undefined when it compiles.
   * Default: the condition language of `src/core/expr` against Argo's env, as Argo's
   * `expr.Compile(condition, expr.Env(env))` checks it. `checkQuery` defaults to Baton's
   * PromQL parser ({@link checkPromQL}), so lint and simulate warn about the same queries.
   */
  checkCondition?: ConditionChecker;
}

/** Compiles with `compileCondition`; a syntax error or unknown name is the problem reported. */
export const checkArgoCondition: ConditionChecker = (source) => {
  try {
    compileCondition(source);
    return undefined;
  } catch (e) {
    if (e instanceof ExprSyntaxError) return e.message;
    throw e;
  }
};

/** Parses with Baton's PromQL parser (Prometheus 2.42 grammar); the parse error is the problem reported. */
export const checkPromQL = (query: string): string | undefined => {
  try {
    parsePromQL(query);
    return undefined;
  } catch (e) {
    if (e instanceof BatonError) return e.message;
    throw e;
  }
};

/** The typed manifests and every problem found, in file and line order. */
export interface ParseResult {
  set: ManifestSet;
  diagnostics: Diagnostic[];
}

/** A `ManifestSet` with every list empty. */
export function emptyManifestSet(): ManifestSet {
  return {
    rollouts: [],
    analysisTemplates: [],
    clusterAnalysisTemplates: [],
    services: [],
    deployments: [],
    virtualServices: [],
    destinationRules: [],
    gateways: [],
    secrets: [],
  };
}

const ISTIO_VERSIONS = ['networking.istio.io/v1alpha3', 'networking.istio.io/v1beta1', 'networking.istio.io/v1'];

/** The API versions Baton reads, by kind, for telling a typo or old version from another kind. */
const API_VERSIONS: Record<string, string[]> = {
  Rollout: ['argoproj.io/v1alpha1'],
  AnalysisTemplate: ['argoproj.io/v1alpha1'],
  ClusterAnalysisTemplate: ['argoproj.io/v1alpha1'],
  Service: ['v1'],
  Secret: ['v1'],
  Deployment: ['apps/v1'],
  VirtualService: ISTIO_VERSIONS,
  DestinationRule: ISTIO_VERSIONS,
  Gateway: ISTIO_VERSIONS,
};

function groupOf(apiVersion: string): string {
  const slash = apiVersion.lastIndexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/**
 * The versions Baton expects when `apiVersion` is a kind Baton reads in its own API group (or a
 * near-miss spelling of it) at a version it does not read: `argoproj.io/v1beta1`, `apps/v1beta2`,
 * `argopoj.io/v1alpha1`. A kind of the same name in another group (Gateway API `Gateway`, Knative
 * `Service`) is another kind, not a mistake.
 */
function misversioned(apiVersion: string, kind: string): string[] | undefined {
  const expected = API_VERSIONS[kind];
  if (!expected) return undefined;
  const group = groupOf(apiVersion);
  const wanted = groupOf(expected[0] ?? '');
  if (group === wanted) return expected;
  if (wanted.length > 4 && group.length > 4 && closest(group, [wanted]) !== undefined) return expected;
  return undefined;
}

interface Loader {
  set: ManifestSet;
  rollouts: RolloutEntry[];
  /** Each manifest's reporter, to locate paths in it for hints. */
  reporters: Map<object, Reporter>;
  options: ParseOptions;
  /** The current file came from a directory walk (see `ManifestFile.fromDirectory`). */
  quietNonManifests: boolean;
}

/** Reads one manifest (a document, or an item of a v1 List). */
function readManifest(root: Field, loader: Loader): void {
  const { reporter } = root;
  if (!root.object()) return;
  if (!root.get('apiVersion').present && !root.get('kind').present) {
    // A YAML file that is no Kubernetes object at all (a simulate scenario, a values file):
    // named, not failed, so `baton lint dir/` works on a directory that holds both.
    if (!loader.quietNonManifests) root.warning('not-a-manifest', 'no apiVersion or kind: not a Kubernetes manifest, ignored');
    return;
  }
  const apiVersion = root.get('apiVersion').string({ required: true, hint: 'e.g. apiVersion: argoproj.io/v1alpha1' });
  const kind = root.get('kind').string({ required: true, hint: 'e.g. kind: Rollout' });
  if (apiVersion === undefined || kind === undefined) return;

  if (apiVersion === 'v1' && kind === 'List') {
    for (const item of root.get('items').list()) readManifest(item, loader);
    return;
  }

  const { line, column } = reporter.locate(root.path);
  const source: SourceLocation = { file: reporter.file, line, column };
  const id = `${apiVersion} ${kind}`;
  const known =
    (apiVersion === 'argoproj.io/v1alpha1' && ['Rollout', 'AnalysisTemplate', 'ClusterAnalysisTemplate'].includes(kind)) ||
    id === 'v1 Service' ||
    id === 'v1 Secret' ||
    id === 'apps/v1 Deployment' ||
    (ISTIO_VERSIONS.includes(apiVersion) && ['VirtualService', 'DestinationRule', 'Gateway'].includes(kind));
  if (apiVersion.startsWith('baton.dev/')) {
    loader.set.extensions ??= [];
    loader.set.extensions.push({ apiVersion, kind, metadata: readObjectMeta(root.get('metadata')), spec: root.get('spec').value, source });
    return;
  }
  if (!known) {
    const expected = misversioned(apiVersion, kind);
    if (expected) {
      root.get('apiVersion').error('unsupported-api-version', `${kind} ${apiVersion} is not an API version Baton reads`, `use apiVersion: ${expected.join(' or ')}`);
    } else {
      root.get('kind').warning('unknown-kind', `${kind} (${apiVersion}) is not a kind Baton reads; it is ignored`);
    }
    return;
  }

  const base: Omit<ManifestBase<string>, 'kind'> = { apiVersion, metadata: readObjectMeta(root.get('metadata'), kind), source };
  const set = loader.set;
  const manifestReporter = reporter.withPrefix(root.path);
  let manifest: object;
  switch (kind) {
    case 'Rollout': {
      const { rollout, refs } = readRollout(root, base);
      set.rollouts.push(rollout);
      loader.rollouts.push({ rollout, refs, reporter: manifestReporter });
      manifest = rollout;
      break;
    }
    case 'AnalysisTemplate': {
      const t = { ...base, kind, spec: readAnalysisTemplateSpec(root.get('spec'), loader.options) } as const;
      set.analysisTemplates.push(t);
      manifest = t;
      break;
    }
    case 'ClusterAnalysisTemplate': {
      const t = { ...base, kind, spec: readAnalysisTemplateSpec(root.get('spec'), loader.options) } as const;
      set.clusterAnalysisTemplates.push(t);
      manifest = t;
      break;
    }
    case 'Service': {
      const m = readService(root, base);
      set.services.push(m);
      manifest = m;
      break;
    }
    case 'Secret': {
      const m = readSecret(root, base);
      (set.secrets ??= []).push(m);
      manifest = m;
      break;
    }
    case 'Deployment': {
      const m = readDeployment(root, base);
      set.deployments.push(m);
      manifest = m;
      break;
    }
    case 'VirtualService': {
      const m = readVirtualService(root, base);
      set.virtualServices.push(m);
      manifest = m;
      break;
    }
    case 'DestinationRule': {
      const m = readDestinationRule(root, base);
      set.destinationRules.push(m);
      manifest = m;
      break;
    }
    default: {
      const m = readGateway(root, base);
      set.gateways.push(m);
      manifest = m;
    }
  }
  loader.reporters.set(manifest, manifestReporter);
}

/** Reports manifests of one kind that share a name (and namespace). */
function checkDuplicates(loader: Loader): void {
  const lists: [string, { metadata: { name: string; namespace?: string } }[]][] = [
    ['Rollout', loader.set.rollouts],
    ['AnalysisTemplate', loader.set.analysisTemplates],
    ['ClusterAnalysisTemplate', loader.set.clusterAnalysisTemplates],
    ['Service', loader.set.services],
    ['Deployment', loader.set.deployments],
    ['VirtualService', loader.set.virtualServices],
    ['DestinationRule', loader.set.destinationRules],
    ['Gateway', loader.set.gateways],
    ['Secret', loader.set.secrets ?? []],
  ];
  for (const [kind, list] of lists) {
    const seen = new Map<string, object>();
    for (const m of list) {
      if (!m.metadata.name) continue;
      const key = `${m.metadata.namespace ?? ''}/${m.metadata.name}`;
      const first = seen.get(key);
      const reporter = loader.reporters.get(m);
      if (first && reporter) {
        const firstReporter = loader.reporters.get(first);
        const at = firstReporter ? `${firstReporter.file}:${firstReporter.locate(['metadata', 'name']).line}` : 'another file';
        reporter.error('duplicate-manifest', ['metadata', 'name'], `${kind} "${m.metadata.name}" is defined twice`, `the first is at ${at}`);
      } else {
        seen.set(key, m);
      }
    }
  }
}

/** The yaml package's message without its code frame and `at line L, column C:` (we print file:line). */
function firstLine(message: string): string {
  const first = message.split('\n')[0]?.trim() ?? message;
  return first.replace(/\s*at line \d+, column \d+:?$/, '');
}

function readDocument(doc: Document, file: string, lineCounter: LineCounter, loader: Loader, out: Diagnostic[]): void {
  const reporter = new Reporter(file, createLocator(doc, lineCounter), out);
  for (const w of doc.warnings) {
    const pos = w.linePos?.[0];
    out.push({ severity: 'warning', code: 'yaml-warning', file, line: pos?.line ?? 0, column: pos?.col ?? 0, path: '', message: firstLine(w.message) });
  }
  if (doc.errors.length > 0) {
    for (const e of doc.errors) {
      const pos = e.linePos?.[0];
      out.push({ severity: 'error', code: 'yaml-syntax', file, line: pos?.line ?? 0, column: pos?.col ?? 0, path: '', message: firstLine(e.message) });
    }
    return;
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 1000 });
  } catch (e) {
    out.push({ severity: 'error', code: 'yaml-syntax', file, line: 0, column: 0, path: '', message: firstLine(e instanceof Error ? e.message : String(e)) });
    return;
  }
  if (value === null || value === undefined) return; // an empty document (`---` alone, comments)
  const root = reporter.root(value);
  if (typeof value !== 'object' || Array.isArray(value)) {
    root.error('invalid-document', 'a manifest must be a map with apiVersion and kind');
    return;
  }
  readManifest(root, loader);
}

/**
 * Parsed files kept for the next {@link parseManifests} call, by file object: a caller that
 * passes the same (unchanged) `ManifestFile` object again gets its manifests without parsing its
 * YAML again, which matters for a file with a large string (a 10 MB one takes a second to parse).
 * The caller must not change a file object it has passed; a new text is a new object.
 */
export type ParseCache = WeakMap<ManifestFile, ParsedFile>;

/** One file read on its own: its manifests, with where they go, and its own diagnostics. */
export interface ParsedFile {
  text: string;
  fromDirectory: boolean;
  diagnostics: Diagnostic[];
  set: ManifestSet;
  rollouts: RolloutEntry[];
  reporters: Map<object, Reporter>;
}

/** Creates an empty {@link ParseCache}. */
export function createParseCache(): ParseCache {
  return new WeakMap();
}

function parseFile(file: ManifestFile, options: ParseOptions): ParsedFile {
  const diagnostics: Diagnostic[] = [];
  const loader: Loader = { set: emptyManifestSet(), rollouts: [], reporters: new Map(), options, quietNonManifests: file.fromDirectory === true };
  const lineCounter = new LineCounter();
  // `merge`: Kubernetes' YAML reader (go-yaml) expands `<<: *anchor` merge keys, so do we.
  const docs = parseAllDocuments(file.text, { lineCounter, prettyErrors: true, uniqueKeys: true, merge: true });
  const list = Array.isArray(docs) ? docs : [];
  for (const doc of list) readDocument(doc, file.path, lineCounter, loader, diagnostics);
  return { text: file.text, fromDirectory: file.fromDirectory === true, diagnostics, set: loader.set, rollouts: loader.rollouts, reporters: loader.reporters };
}

/** Adds one file's manifests to the run's loader; its reporters write to the run's diagnostics. */
function addParsedFile(loader: Loader, parsed: ParsedFile, diagnostics: Diagnostic[]): void {
  diagnostics.push(...parsed.diagnostics);
  const into = loader.set;
  const from = parsed.set;
  into.rollouts.push(...from.rollouts);
  into.analysisTemplates.push(...from.analysisTemplates);
  into.clusterAnalysisTemplates.push(...from.clusterAnalysisTemplates);
  into.services.push(...from.services);
  into.deployments.push(...from.deployments);
  into.virtualServices.push(...from.virtualServices);
  into.destinationRules.push(...from.destinationRules);
  into.gateways.push(...from.gateways);
  if (from.secrets?.length) (into.secrets ??= []).push(...from.secrets);
  if (from.extensions?.length) (into.extensions ??= []).push(...from.extensions);
  for (const r of parsed.rollouts) loader.rollouts.push({ ...r, reporter: r.reporter.writingTo(diagnostics) });
  for (const [m, r] of parsed.reporters) loader.reporters.set(m, r.writingTo(diagnostics));
}

/**
 * Parses every document of every file into a `ManifestSet` with Argo's and Kubernetes' defaults
 * applied, and returns every problem found, errors and warnings, in file order. With `cache`,
 * files parsed by an earlier call (the same objects, same text) are not parsed again; the
 * checks between manifests always run on the whole set.
 */
export function parseManifests(files: readonly ManifestFile[], options: ParseOptions = {}, cache?: ParseCache): ParseResult {
  const diagnostics: Diagnostic[] = [];
  const loader: Loader = { set: emptyManifestSet(), rollouts: [], reporters: new Map(), options: { checkCondition: checkArgoCondition, checkQuery: checkPromQL, ...options }, quietNonManifests: false };
  for (const file of files) {
    let parsed = cache?.get(file);
    if (!parsed || parsed.text !== file.text || parsed.fromDirectory !== (file.fromDirectory === true)) {
      parsed = parseFile(file, loader.options);
      cache?.set(file, parsed);
    }
    addParsedFile(loader, parsed, diagnostics);
  }
  checkDuplicates(loader);
  checkCrossRefs(loader.set, loader.rollouts, (manifest, path: FieldPath) => {
    const r = loader.reporters.get(manifest);
    if (!r) return formatPath(path);
    const { line } = r.locate(path);
    return line > 0 ? `${r.file}:${line}` : r.file;
  });
  checkSecretRefs(loader.set, (manifest) => loader.reporters.get(manifest));
  checkExtensions(loader.set, diagnostics);
  return { set: loader.set, diagnostics: sortDiagnostics(diagnostics, files) };
}

/** File order as given, then line order, so output reads top to bottom. */
function sortDiagnostics(list: Diagnostic[], files: readonly ManifestFile[]): Diagnostic[] {
  const order = new Map(files.map((f, i) => [f.path, i]));
  return list
    .map((d, i) => ({ d, i }))
    .sort((a, b) => (order.get(a.d.file) ?? 0) - (order.get(b.d.file) ?? 0) || a.d.line - b.d.line || a.d.column - b.d.column || a.i - b.i)
    .map(({ d }) => d);
}
