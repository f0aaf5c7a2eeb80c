/**
 * Problems found in user input, each pointing at the input:
 * `rollout.yaml:14 spec.strategy.canary.steps[2].pause.duration: "30x" is not a duration (use 30s, 1m, 1h)`.
 */
export type Severity = 'error' | 'warning';

export interface Diagnostic {
  severity: Severity;
  /** Stable identifier for tools and tests, e.g. `invalid-duration`, `unknown-kind`. */
  code: string;
  file: string;
  /** 1-based; 0 when the problem is not tied to a line. */
  line: number;
  column: number;
  /** Field path inside the document, e.g. `spec.strategy.canary.steps[2].pause.duration`. */
  path: string;
  message: string;
  /** What to do about it. */
  hint?: string;
}

/** One line per diagnostic, as `baton lint` prints it. */
export function formatDiagnostic(d: Diagnostic): string {
  const where = d.line > 0 ? `${d.file}:${d.line}` : d.file;
  const path = d.path ? ` ${d.path}:` : ':';
  const hint = d.hint ? ` (${d.hint})` : '';
  return `${where}${path} ${d.severity === 'warning' ? 'warning: ' : ''}${d.message}${hint}`;
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}
