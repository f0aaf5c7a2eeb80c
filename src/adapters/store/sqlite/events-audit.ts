/**
 * Events (what the engine reported) and audit entries (who did what), append-only rows. Events
 * are capped per rollout, oldest dropped first, in the transaction that appends.
 *
 * Note: a rollback of the enclosing transaction leaves the in-memory trim counter advanced; that
 * only brings the next trim forward.
 */
import type Database from 'better-sqlite3';
import type { AuditEntry, StoredEvent } from '../../../ports/state-store.js';

type EventInput = { at: number; rollout: string; type: string; [field: string]: unknown };

interface EventRow {
  id: number;
  rollout: string;
  at: number;
  type: string;
  data_json: string;
}

interface AuditRow {
  id: number;
  at: number;
  actor: string;
  action: string;
  target: string;
  details_json: string | null;
}

/** Prepared statements for events and audit, made once per connection. */
export function prepareJournalStatements(db: Database.Database, maxEventsPerRollout: number) {
  const insertEvent = db.prepare('INSERT INTO events (rollout, at, type, data_json) VALUES (?, ?, ?, ?)');
  // Keeps the newest `maxEventsPerRollout`: deletes every id at or below the one just past them.
  const trimEvents = db.prepare(`
    DELETE FROM events WHERE rollout = @rollout AND id <= (
      SELECT id FROM events WHERE rollout = @rollout ORDER BY id DESC LIMIT 1 OFFSET @keep)`);
  // Trimming walks the rollout's newest `maxEventsPerRollout` index entries, so it runs once per
  // `trimEvery` appends per rollout (1 % of the cap): a rollout holds at most cap + trimEvery - 1
  // events between trims, and an append costs a few microseconds instead of a 10,000-entry walk.
  const trimEvery = Math.max(1, Math.floor(maxEventsPerRollout / 100));
  const sinceTrim = new Map<string, number>();
  const insertAudit = db.prepare('INSERT INTO audit (at, actor, action, target, details_json) VALUES (?, ?, ?, ?, ?)');
  return {
    appendEvents(events: readonly EventInput[]): void {
      for (const event of events) {
        const { at, rollout, type, ...data } = event;
        // `at` is an INTEGER column; a scaled engine clock reads fractions of a millisecond.
        insertEvent.run(rollout, Math.round(at), type, JSON.stringify(data));
        // Counted from open, so the first trim after a restart comes within trimEvery appends too.
        const n = (sinceTrim.get(rollout) ?? 0) + 1;
        if (n >= trimEvery) {
          trimEvents.run({ rollout, keep: maxEventsPerRollout });
          sinceTrim.set(rollout, 0);
        } else {
          sinceTrim.set(rollout, n);
        }
      }
    },
    events(query: { rollout?: string; since?: number; afterId?: number; limit?: number }): StoredEvent[] {
      const where: string[] = [];
      const params: Record<string, unknown> = {};
      if (query.rollout !== undefined) {
        where.push('rollout = @rollout');
        params.rollout = query.rollout;
      }
      if (query.since !== undefined) {
        where.push('at >= @since');
        params.since = query.since;
      }
      if (query.afterId !== undefined) {
        where.push('id > @afterId');
        params.afterId = query.afterId;
      }
      // Following a cursor (afterId), `limit` pages forward from it, oldest first, so a reader
      // that asks again after the last id it got never skips one; without a cursor it keeps the
      // newest (a tail).
      const forward = query.afterId !== undefined;
      const sql = `SELECT id, rollout, at, type, data_json FROM events ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY id ${forward ? 'ASC' : 'DESC'} ${query.limit !== undefined ? 'LIMIT @limit' : ''}`;
      if (query.limit !== undefined) params.limit = query.limit;
      const rows = db.prepare<[Record<string, unknown>], EventRow>(sql).all(params);
      if (!forward) rows.reverse();
      return rows.map((r) => ({ ...(JSON.parse(r.data_json) as object), id: r.id, at: r.at, rollout: r.rollout, type: r.type }));
    },
    recordAudit(entry: AuditEntry): void {
      insertAudit.run(entry.at, entry.actor, entry.action, entry.target, entry.details ? JSON.stringify(entry.details) : null);
    },
    audit(query: { rollout?: string; limit?: number }): (AuditEntry & { id: number })[] {
      const sql = `SELECT id, at, actor, action, target, details_json FROM audit
        ${query.rollout !== undefined ? 'WHERE target = @target' : ''} ORDER BY id DESC ${query.limit !== undefined ? 'LIMIT @limit' : ''}`;
      const params: Record<string, unknown> = {};
      if (query.rollout !== undefined) params.target = query.rollout;
      if (query.limit !== undefined) params.limit = query.limit;
      return db
        .prepare<[Record<string, unknown>], AuditRow>(sql)
        .all(params)
        .reverse()
        .map((r) => {
          const out: AuditEntry & { id: number } = { id: r.id, at: r.at, actor: r.actor, action: r.action, target: r.target };
          if (r.details_json !== null) out.details = JSON.parse(r.details_json) as Record<string, unknown>;
          return out;
        });
    },
  };
}
