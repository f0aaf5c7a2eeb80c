/**
 * An in-memory StateStore: `baton simulate` and tests. By default it saves a deep copy, as a
 * database would; `copy: false` keeps the reference (the simulator, whose engine never mutates
 * saved state: the core returns new objects).
 */
import type { RolloutRecord, StateStore } from '../../../ports/state-store.js';

export function createMemoryStateStore(opts: { copy?: boolean } = {}): StateStore & { saves: number } {
  const copy = opts.copy ?? true;
  const records = new Map<string, RolloutRecord>();
  return {
    saves: 0,
    load: (name) => {
      const r = records.get(name);
      return r && copy ? structuredClone(r) : r;
    },
    save(name, record) {
      this.saves++;
      records.set(name, copy ? structuredClone(record) : record);
    },
  };
}
