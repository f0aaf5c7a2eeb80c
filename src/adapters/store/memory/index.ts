/** An in-memory StateStore: `baton simulate` and tests. Saves a deep copy, as a database would. */
import type { RolloutRecord, StateStore } from '../../../ports/state-store.js';

export function createMemoryStateStore(): StateStore & { saves: number } {
  const records = new Map<string, RolloutRecord>();
  return {
    saves: 0,
    load: (name) => {
      const r = records.get(name);
      return r ? structuredClone(r) : undefined;
    },
    save(name, record) {
      this.saves++;
      records.set(name, structuredClone(record));
    },
  };
}
