/**
 * `GET /api/v1/events/stream?workload=&afterId=`: the controller's events as server-sent events
 * (WHATWG HTML, "Server-sent events"), for the dashboard to follow a release without reloads.
 *
 * Each event is `id: <event id>`, `event: baton`, `data: <EventView as JSON>`. The stream starts
 * after `afterId`, or after the `Last-Event-ID` a reconnecting browser sends (it wins: it is
 * where that browser stopped), or at the newest event when neither is given. It is built on the
 * controller's long-poll (`waitEvents`), so it needs nothing more of a controller than the
 * long-poll endpoint does. A comment line every `heartbeatMs` keeps proxies from closing an idle
 * stream and lets a browser notice a dead connection. When the controller stops, the stream
 * ends and the browser reconnects on its own after `retry` ms (to the restarted controller).
 */
import { InvalidInputError } from '../core/errors.js';
import type { EventsPage } from './types.js';

/** What the stream needs of the controller: the long-poll of `GET /api/v1/events`. */
export interface EventSource {
  waitEvents(q: { workload?: string; afterId?: number; limit?: number }, waitMs: number): Promise<EventsPage>;
}

export interface EventStreamOptions {
  /** How long one long-poll waits before a heartbeat comment; default 15 s. */
  heartbeatMs?: number;
  /** The reconnection delay told to the browser; default 1 s. */
  retryMs?: number;
  /** Most events read per long-poll; default 1000. */
  batch?: number;
  /** Wall clock, epoch ms; default Date.now. */
  now?: () => number;
}

const encoder = new TextEncoder();

/** One event as SSE lines. JSON.stringify never emits a raw newline, so `data:` is one line. */
function frame(id: number, data: unknown): Uint8Array {
  return encoder.encode(`id: ${id}\nevent: baton\ndata: ${JSON.stringify(data)}\n\n`);
}

/** The id to start after: `Last-Event-ID` (a reconnect), else `afterId`, else none (the newest). */
export function streamStart(lastEventId: string | null, afterId: number | undefined): number | undefined {
  if (lastEventId !== null && lastEventId !== '') {
    if (!/^\d{1,15}$/.test(lastEventId)) throw new InvalidInputError('invalid-query', `Last-Event-ID ${JSON.stringify(lastEventId)} is not an event id (a non-negative integer)`, { input: lastEventId });
    return Number(lastEventId);
  }
  return afterId;
}

/** The stream's Response: `text/event-stream`, never cached or buffered by a proxy. */
export function eventStreamResponse(source: EventSource, q: { workload?: string; afterId?: number }, opts: EventStreamOptions = {}): Response {
  const heartbeatMs = opts.heartbeatMs ?? 15_000;
  const batch = opts.batch ?? 1_000;
  const now = opts.now ?? Date.now;
  const filter = q.workload !== undefined ? { workload: q.workload } : {};
  let afterId = q.afterId;
  let cancelled = false;
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      controller.enqueue(encoder.encode(`retry: ${opts.retryMs ?? 1_000}\n: baton events\n\n`));
      // No start given: from the newest event on (the page has just read the state).
      if (afterId === undefined) afterId = (await source.waitEvents({ ...filter, limit: 1 }, 0)).lastId;
    },
    async pull(controller) {
      const asked = now();
      const page = await source.waitEvents({ ...filter, afterId, limit: batch }, heartbeatMs);
      if (cancelled) return;
      for (const e of page.events) controller.enqueue(frame(e.id, e));
      if (page.events.length) afterId = page.lastId;
      // Nothing, long before the wait was up: the controller is stopping. End the stream; the
      // browser reconnects (to the next controller) from the last id it saw.
      else if (now() - asked < heartbeatMs / 2) controller.close();
      else controller.enqueue(encoder.encode(': heartbeat\n\n'));
    },
    cancel() {
      cancelled = true;
    },
  });
  return new Response(body, {
    headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no' },
  });
}
