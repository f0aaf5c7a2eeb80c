/**
 * Text helpers shared by the runtime verbs: kubectl-style tables, ages, timestamps and the status
 * icons of `kubectl argo rollouts` (pkg/kubectl-argo-rollouts/info/info.go: IconOK ✔, IconPaused
 * ॥, IconProgressing ◌, IconBad ✖, IconWarning ⚠, IconUnknown ?, IconNeutral •).
 */
import { stringify as stringifyYaml } from 'yaml';

/** `-o json`: the API's JSON as it is, 2-space indent. */
export function formatJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** What `-o` accepts wherever it is accepted. */
export type OutputFormat = 'json' | 'yaml';

/**
 * `-o json` or `-o yaml`: the API's answer as it is. Each YAML document of a stream (`--watch`)
 * after the first starts with `---`, so `yq` and kubectl read the stream as documents.
 */
export function formatData(value: unknown, format: OutputFormat, later = false): string {
  if (format === 'json') return formatJson(value);
  return `${later ? '---\n' : ''}${stringifyYaml(value, { lineWidth: 0 })}`;
}

/**
 * Columns padded to their widest cell and separated by three spaces, as kubectl's tabwriter
 * prints them; trailing spaces trimmed. Widths count code points, so `✔` is one column.
 */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i] ?? ''))));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : pad(c, widths[i] ?? 0)))
      .join('   ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n') + '\n';
}

/** Display width in code points (the icons used here are one column each). */
export function width(s: string): number {
  return [...s].length;
}

export function pad(s: string, n: number): string {
  return s + ' '.repeat(Math.max(0, n - width(s)));
}

/**
 * An age as kubectl prints it (k8s.io/apimachinery `duration.HumanDuration`): `45s`, `3m20s`
 * below 10 minutes, `25m`, `5h10m` below 8 hours, `12h`, then days: `3d4h`, `9d`.
 */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return s % 60 === 0 ? `${m}m` : `${m}m${s % 60}s`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 8) return m % 60 === 0 ? `${h}h` : `${h}h${m % 60}m`;
  if (h < 48) return `${h}h`;
  const d = Math.floor(h / 24);
  if (d < 8) return h % 24 === 0 ? `${d}d` : `${d}d${h % 24}h`;
  return `${d}d`;
}

/** Epoch ms as `2026-11-29T00:31:06Z` (UTC, whole seconds). */
export function formatTimestamp(ms: number): string {
  if (!Number.isFinite(ms)) return '-';
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The icon `kubectl argo rollouts` puts before a rollout, ReplicaSet, pod or analysis phase. */
export function phaseIcon(phase: string): string {
  switch (phase) {
    case 'Healthy':
    case 'Successful':
      return '✔';
    case 'Paused':
      return '॥';
    case 'Progressing':
    case 'Running':
    case 'Starting':
    case 'Pending':
    case 'Terminating':
      return '◌';
    case 'Degraded':
    case 'Failed':
      return '✖';
    case 'Error':
    case 'Inconclusive':
      return '⚠';
    case 'ScaledDown':
      return '•';
    default:
      return '?';
  }
}

/** `✔ Healthy`. */
export function withIcon(phase: string): string {
  return `${phaseIcon(phase)} ${phase}`;
}

/** `canary` -> `Canary`, `blueGreen` -> `BlueGreen`, `RollingUpdate` as is. */
export function strategyTitle(strategy: string): string {
  return strategy.charAt(0).toUpperCase() + strategy.slice(1);
}

/** `1 error`, `2 errors`: a count and its noun, with an `s` unless the count is one. */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** The kind as the action verbs name it in their line (`rollout 'x' promoted`, as Argo prints it). */
export function kindWord(kind: string): string {
  return kind.toLowerCase();
}
