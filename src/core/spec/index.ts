/**
 * Manifests: YAML text -> typed, defaulted Argo/Kubernetes/Istio objects, with every problem
 * reported as a `Diagnostic` pointing at its file, line and field path.
 */
export { parseManifests, emptyManifestSet, checkArgoCondition } from './load.js';
export type { ManifestFile, ParseOptions, ParseResult } from './load.js';
export type { ConditionChecker, TemplateCheckers } from './metric-providers.js';
export { formatDiagnostic, hasErrors } from './diagnostics.js';
export type { Diagnostic, Severity } from './diagnostics.js';
export { formatPath } from './yaml-positions.js';
export type { FieldPath, PathSegment, Position } from './yaml-positions.js';
export type * from './types.js';
