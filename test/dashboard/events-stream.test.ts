/**
 * `GET /api/v1/events/stream` on a real socket: events as they are recorded, from `afterId` or
 * from a reconnecting browser's `Last-Event-ID`, heartbeats while idle, the producer stopped
 * when the client goes, and the stream ended when the controller stops.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFetchServer, type RunningFetchServer } from '../../src/adapters/http/fetch-server.js';
import { createApiHandler, type ControlApi } from '../../src/api/handler.js';
import { eventStreamResponse } from '../../src/api/events-stream.js';
import { EventLog } from '../support/event-log.js';

const TOKEN = 'stream-test-token-0123456789';

let log = new EventLog();
const api: ControlApi = {
  status: () => ({ pid: 1 }) as never,
  list: () => [],
  detail: (name) => ({ name }) as never,
  history: () => [],
  act: () => Promise.reject(new Error('not used')),
  apply: () => Promise.reject(new Error('not used')),
  waitEvents: (q, w) => log.waitEvents(q, w),
  logs: () => ({ files: [] }),
  audit: () => [],
  runtimeMetrics: () => '',
  prometheus: () => Promise.reject(new Error('not used')),
  requestShutdown: () => {},
};

let server: RunningFetchServer;
beforeAll(async () => {
  server = await startFetchServer('127.0.0.1', 0, createApiHandler(api, TOKEN));
});
afterAll(() => server.close());

interface Sse {
  id?: string;
  event?: string;
  data?: string;
  comment?: string;
  retry?: string;
}

/** Opens the stream and reads SSE blocks from it, one `next()` at a time. */
async function open(query: string, headers: Record<string, string> = {}): Promise<{ status: number; type: string | null; next(): Promise<Sse | undefined>; close(): void }> {
  const ac = new AbortController();
  const r = await fetch(`${server.url}/api/v1/events/stream${query}`, { headers: { authorization: `Bearer ${TOKEN}`, ...headers }, signal: ac.signal });
  const reader = (r.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let buf = '';
  return {
    status: r.status,
    type: r.headers.get('content-type'),
    async next() {
      for (;;) {
        const end = buf.indexOf('\n\n');
        if (end >= 0) {
          const block = buf.slice(0, end);
          buf = buf.slice(end + 2);
          const out: Sse = {};
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) out.comment = line.slice(1).trim();
            else {
              const [k, ...v] = line.split(': ');
              (out as Record<string, string>)[k ?? ''] = v.join(': ');
            }
          }
          return out;
        }
        const { done, value } = await reader.read();
        if (done) return undefined;
        buf += decoder.decode(value, { stream: true });
      }
    },
    close: () => ac.abort(),
  };
}

describe('the event stream', () => {
  it('sends the events after afterId, then each new one as it is recorded', async () => {
    log = new EventLog();
    log.add('web', 'StepStarted');
    log.add('web', 'WeightChanged', { canary: 10 });
    const s = await open('?afterId=1');
    expect(s.status).toBe(200);
    expect(s.type).toBe('text/event-stream; charset=utf-8');
    expect(await s.next()).toEqual({ retry: '1000', comment: 'baton events' });
    const first = await s.next();
    expect(first).toMatchObject({ id: '2', event: 'baton' });
    expect(JSON.parse(first?.data ?? '')).toMatchObject({ id: 2, type: 'WeightChanged', fields: { canary: 10 } });
    log.add('web', 'Paused');
    expect(JSON.parse((await s.next())?.data ?? '')).toMatchObject({ id: 3, type: 'Paused' });
    s.close();
  });

  it('starts at the newest event without afterId, and follows one workload when asked', async () => {
    log = new EventLog();
    log.add('web', 'Old');
    const s = await open('?workload=web');
    await s.next(); // retry + comment
    log.add('api', 'Other');
    log.add('web', 'New');
    expect(JSON.parse((await s.next())?.data ?? '')).toMatchObject({ workload: 'web', type: 'New' });
    s.close();
  });

  it("a reconnecting browser's Last-Event-ID wins over afterId; a bad one is a 400", async () => {
    log = new EventLog();
    for (let i = 0; i < 5; i++) log.add('web', `E${i + 1}`);
    const s = await open('?afterId=1', { 'last-event-id': '4' });
    await s.next();
    expect((await s.next())?.id).toBe('5');
    s.close();
    const bad = await fetch(`${server.url}/api/v1/events/stream`, { headers: { authorization: `Bearer ${TOKEN}`, 'last-event-id': 'x1' } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('invalid-query');
  });

  it('needs the token like every API call', async () => {
    expect((await fetch(`${server.url}/api/v1/events/stream`)).status).toBe(401);
  });

  it('stops long-polling once the client has gone', async () => {
    log = new EventLog();
    const s = await open('?afterId=0');
    await s.next();
    log.add('web', 'One');
    await s.next();
    s.close();
    // Give the server a moment to see the socket close; the poll in flight then ends at the
    // next event and none follows it (the stream was cancelled).
    await new Promise((r) => setTimeout(r, 50));
    const polls = log.polls;
    log.add('web', 'Two');
    await new Promise((r) => setTimeout(r, 50));
    log.add('web', 'Three');
    await new Promise((r) => setTimeout(r, 50));
    expect(log.polls).toBe(polls);
  });

  it('ends when the controller stops, so the browser reconnects to the next one', async () => {
    log = new EventLog();
    const s = await open('?afterId=0');
    await s.next();
    log.close();
    expect(await s.next()).toBeUndefined();
  });
});

describe('eventStreamResponse', () => {
  it('sends a heartbeat comment when a long-poll ends with nothing new', async () => {
    log = new EventLog();
    const r = eventStreamResponse(log, { afterId: 0 }, { heartbeatMs: 40 });
    const reader = (r.body as ReadableStream<Uint8Array>).getReader();
    const text = async (): Promise<string> => new TextDecoder().decode((await reader.read()).value);
    expect(await text()).toBe('retry: 1000\n: baton events\n\n');
    expect(await text()).toBe(': heartbeat\n\n');
    log.add('web', 'After');
    expect(await text()).toMatch(/^id: 1\nevent: baton\ndata: \{"id":1,/);
    await reader.cancel();
  });
});
