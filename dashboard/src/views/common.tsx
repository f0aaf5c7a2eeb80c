/** Small pieces the pages share: the phase badge, times, and the visually hidden text of screen readers. */
import type { ComponentChildren } from 'preact';

/** A phase as a badge whose colour repeats its word (never colour alone). */
export function PhaseBadge({ phase }: { phase: string }) {
  return <span class={`badge phase-${phase.toLowerCase()}`}>{phase}</span>;
}

/** Text for screen readers only (a table's caption, a chart's data). */
export function VisuallyHidden({ children }: { children: ComponentChildren }) {
  return <span class="visually-hidden">{children}</span>;
}

/** A wall-clock time as HH:MM:SS, in a <time> with its ISO form. */
export function Clock({ at }: { at: number }) {
  const d = new Date(at);
  return <time dateTime={d.toISOString()}>{d.toLocaleTimeString([], { hour12: false })}</time>;
}

/** Seconds since `from`, as `+1m05s`: the x axis of the weight chart. */
export function elapsedLabel(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const m = Math.floor(s / 60);
  return m ? `+${m}m${String(s % 60).padStart(2, '0')}s` : `+${s}s`;
}

/** A canary weight as a bar with its number (the number is the text; the bar only shows it). */
export function WeightBar({ weight }: { weight: number }) {
  return (
    <span class="weight">
      <span class="weight-bar" aria-hidden="true">
        <span style={{ width: `${Math.max(0, Math.min(100, weight))}%` }} />
      </span>
      <span class="weight-text">{weight}%</span>
    </span>
  );
}

/** A table with a caption for screen readers and a header row of `columns`; `wrap` scrolls it sideways on a narrow screen. */
export function Table({ caption, columns, children, className, wrap = true, testId }: { caption: string; columns: string[]; children: ComponentChildren; className?: string; wrap?: boolean; testId?: string }) {
  const table = (
    <table class={className} data-testid={testId}>
      <caption class="visually-hidden">{caption}</caption>
      <thead>
        <tr>
          {columns.map((c) => (
            <th key={c} scope="col">
              {c}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>{children}</tbody>
    </table>
  );
  return wrap ? <div class={`table-wrap${className ? ` ${className}-wrap` : ''}`}>{table}</div> : table;
}
