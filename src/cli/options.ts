/**
 * Option parsers shared by the verbs, so every flag reads its kind of value the same way:
 * durations are Go durations (`30s`, `5m`, `1h`, as Argo's kubectl plugin and the manifests
 * write them), whole numbers are whole numbers; a bad value is a usage error (exit 64) naming
 * the flag.
 */
import { InvalidArgumentError } from 'commander';
import { formatDuration, parseGoDuration } from '../core/spec/duration.js';

/**
 * A duration flag in milliseconds. `legacyBareUnit` keeps a bare number meaning what it meant
 * before the flag took durations (`--scrape-interval 500` is 500 ms); without it a bare number
 * other than 0 is refused, so `--timeout 30` is not silently 30 ms or 30 s.
 */
export function durationOption(flag: string, opts: { min?: number; legacyBareUnit?: 'ms' | 's' } = {}): (value: string) => number {
  return (value) => {
    const bare = /^\d+$/.test(value.trim()) ? Number(value.trim()) : undefined;
    let ms: number | undefined;
    if (bare !== undefined && opts.legacyBareUnit) ms = opts.legacyBareUnit === 'ms' ? bare : bare * 1000;
    else if (bare !== undefined && bare !== 0) ms = undefined;
    else ms = parseGoDuration(value);
    const min = opts.min ?? 0;
    if (ms === undefined || ms < min) {
      const floor = min > 0 ? ` of at least ${formatDuration(min)}` : '';
      throw new InvalidArgumentError(`${flag} "${value}" is not a duration${floor} (write it with its unit: 500ms, 30s, 5m, 1h)`);
    }
    return ms;
  };
}
