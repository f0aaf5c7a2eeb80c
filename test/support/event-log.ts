/**
 * An in-memory event log with the long-poll semantics of ControlPlane.waitEvents (answers as
 * soon as an event after `afterId` exists, or after `waitMs`; at once once closed): what the
 * event-stream tests and bench/dashboard serve instead of a whole controller.
 */
import type { EventsPage, EventView } from '../../src/api/types.js';

export class EventLog {
  events: EventView[] = [];
  closed = false;
  polls = 0;
  private waiters = new Set<() => void>();
  add(workload: string, type: string, fields: Record<string, unknown> = {}): EventView {
    const e: EventView = { id: this.events.length + 1, at: 1000 * (this.events.length + 1), wallAt: Date.now(), workload, type, message: type, fields };
    this.events.push(e);
    for (const w of [...this.waiters]) w();
    return e;
  }
  page(q: { workload?: string; afterId?: number; limit?: number }): EventsPage {
    const all = this.events.filter((e) => (q.workload === undefined || e.workload === q.workload) && (q.afterId === undefined || e.id > q.afterId));
    const events = all.slice(-(q.limit ?? 200));
    return { events, lastId: events.at(-1)?.id ?? q.afterId ?? this.events.at(-1)?.id ?? 0 };
  }
  async waitEvents(q: { workload?: string; afterId?: number; limit?: number }, waitMs: number): Promise<EventsPage> {
    this.polls++;
    const deadline = Date.now() + waitMs;
    for (;;) {
      const page = this.page(q);
      if (page.events.length || Date.now() >= deadline || this.closed) return page;
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(t);
          this.waiters.delete(done);
          resolve();
        };
        const t = setTimeout(done, deadline - Date.now());
        this.waiters.add(done);
      });
    }
  }
  close(): void {
    this.closed = true;
    for (const w of [...this.waiters]) w();
  }
}
