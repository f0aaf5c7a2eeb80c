import { describe, expect, it } from 'vitest';
import { stripHopByHop, upstreamRequestHeaders } from './headers.js';

describe('headers', () => {
  it('removes hop-by-hop headers and those named in Connection (RFC 9110 7.6.1)', () => {
    const out = stripHopByHop({ connection: 'keep-alive, x-secret', 'keep-alive': 'timeout=5', 'x-secret': '1', te: 'trailers', 'transfer-encoding': 'chunked', upgrade: 'h2c', 'proxy-connection': 'x', accept: '*/*' });
    expect(out).toEqual({ accept: '*/*' });
  });

  it('keeps the upgrade pair for WebSockets', () => {
    expect(stripHopByHop({ connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-key': 'k' }, true)).toEqual({ connection: 'upgrade', upgrade: 'websocket', 'sec-websocket-key': 'k' });
  });

  it('sets forwarding headers and a request id only when absent', () => {
    const a = upstreamRequestHeaders({ host: 'tbyte.local', 'x-forwarded-for': '10.0.0.1' }, '127.0.0.1', undefined);
    expect(a).toMatchObject({ host: 'tbyte.local', 'x-forwarded-for': '10.0.0.1, 127.0.0.1', 'x-forwarded-proto': 'http', 'x-forwarded-host': 'tbyte.local' });
    expect(a['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const b = upstreamRequestHeaders({ host: 'h', 'x-request-id': 'given' }, '127.0.0.1', 'backend.internal');
    expect(b).toMatchObject({ host: 'backend.internal', 'x-request-id': 'given', 'x-forwarded-host': 'h' });
  });
});
