/**
 * Following the controller live: one EventSource on `/api/v1/events/stream` for the whole page,
 * handing each event to whoever listens. The browser reconnects by itself after a dropped
 * connection (sending `Last-Event-ID`, so nothing is missed); when it gives up (the controller
 * answered with an error while it was starting, or the session ended) a new stream is opened
 * after a growing delay, from the last event seen. Listeners hear each time the stream opens, to
 * read the state afresh (what happened before the stream began, or while it was down).
 */
import type { EventView } from '../../src/api/types.js';
import { eventStreamUrl } from './api.js';

export type LiveState = 'connecting' | 'live' | 'reconnecting';

export interface Live {
  /** Events as they come; returns the unsubscribe function. */
  subscribe(fn: (e: EventView) => void): () => void;
  /** Called each time the stream opens (first and after being down): read the state afresh then. */
  onOpen(fn: () => void): () => void;
  close(): void;
}

export function connectLive(opts: { onState: (s: LiveState) => void; onGaveUp?: () => void }): Live {
  const listeners = new Set<(e: EventView) => void>();
  const openListeners = new Set<() => void>();
  let lastId: number | undefined;
  let es: EventSource | undefined;
  let retryTimer: number | undefined;
  let delay = 500;
  let opened = false;
  let closed = false;

  const open = (): void => {
    if (closed) return;
    opts.onState(opened ? 'reconnecting' : 'connecting');
    const source = new EventSource(eventStreamUrl(lastId));
    es = source;
    source.onopen = () => {
      delay = 500;
      opts.onState('live');
      opened = true;
      for (const fn of openListeners) fn();
    };
    source.addEventListener('baton', (m: MessageEvent<string>) => {
      const e = JSON.parse(m.data) as EventView;
      lastId = e.id;
      for (const fn of listeners) fn(e);
    });
    source.onerror = () => {
      if (closed) return;
      opts.onState('reconnecting');
      // CONNECTING: the browser retries on its own. CLOSED: it gave up; open a new stream later.
      if (source.readyState === EventSource.CLOSED) {
        opts.onGaveUp?.();
        retryTimer = window.setTimeout(open, delay);
        delay = Math.min(delay * 2, 10_000);
      }
    };
  };
  open();
  return {
    subscribe(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    onOpen(fn) {
      openListeners.add(fn);
      return () => openListeners.delete(fn);
    },
    close() {
      closed = true;
      window.clearTimeout(retryTimer);
      es?.close();
    },
  };
}
