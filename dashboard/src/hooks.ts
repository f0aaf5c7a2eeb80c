/** Small hooks the pages share: the live stream, data that reloads without piling up calls, a ticking clock. */
import { createContext } from 'preact';
import { useContext, useEffect, useRef, useState } from 'preact/hooks';
import type { EventView } from '../../src/api/types.js';
import { ApiError } from './api.js';
import type { Live } from './live.js';

export const LiveContext = createContext<Live | undefined>(undefined);

/** Calls `fn` with each live event, and `onOpen` each time the stream (re)opens. */
export function useLive(fn: (e: EventView) => void, onOpen?: () => void): void {
  const live = useContext(LiveContext);
  const fnRef = useRef(fn);
  const openRef = useRef(onOpen);
  fnRef.current = fn;
  openRef.current = onOpen;
  useEffect(() => {
    if (!live) return undefined;
    const a = live.subscribe((e) => fnRef.current(e));
    const b = live.onOpen(() => openRef.current?.());
    return () => {
      a();
      b();
    };
  }, [live]);
}

export interface Reloadable<T> {
  data: T | undefined;
  error: ApiError | undefined;
  /** Asks for fresh data: at most one call runs at a time, and asks made meanwhile become one more call. */
  reload(): void;
}

/** `load()` now and on every `reload()`, never two at once (a burst of events is one or two calls, not dozens). */
export function useReloadable<T>(load: () => Promise<T>, key: string): Reloadable<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const state = useRef({ running: false, again: false, key, alive: true });
  const loadRef = useRef(load);
  loadRef.current = load;
  const run = (): void => {
    const s = state.current;
    if (s.running) {
      s.again = true;
      return;
    }
    s.running = true;
    const forKey = s.key;
    loadRef
      .current()
      .then(
        (d) => {
          if (s.alive && s.key === forKey) {
            setData(d);
            setError(undefined);
          }
        },
        (e: unknown) => {
          if (s.alive && s.key === forKey) setError(e instanceof ApiError ? e : new ApiError(0, 'internal', String(e)));
        },
      )
      .finally(() => {
        s.running = false;
        if (s.again && s.alive) {
          s.again = false;
          run();
        }
      });
  };
  const reloadRef = useRef(run);
  reloadRef.current = run;
  useEffect(() => {
    state.current.key = key;
    state.current.alive = true;
    setData(undefined);
    setError(undefined);
    run();
    return () => {
      state.current.alive = false;
    };
  }, [key]);
  return { data, error, reload: () => reloadRef.current() };
}

/** The wall clock, updated every `everyMs` (ages and the weight line's "now"). */
export function useNow(everyMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = window.setInterval(() => setNow(Date.now()), everyMs);
    return () => window.clearInterval(t);
  }, [everyMs]);
  return now;
}

/** Runs `fn` every `everyMs` while mounted (a slow refresh of what no event announces, e.g. a process turning ready). */
export function useInterval(fn: () => void, everyMs: number): void {
  const ref = useRef(fn);
  ref.current = fn;
  useEffect(() => {
    const t = window.setInterval(() => ref.current(), everyMs);
    return () => window.clearInterval(t);
  }, [everyMs]);
}
