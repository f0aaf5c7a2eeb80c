/**
 * Response framing, family 6: a service's answer whose head is not valid HTTP/1.1 is a 502 to
 * the client, never relayed, on both upstream paths (the raw one for requests without a body,
 * Node's client for those with one); and an upstream connection is used again only when the
 * request and the response ended exactly at a message boundary.
 */
import { describe, expect, it } from 'vitest';
import { H, exchange, runCase, startFramingGateway, startRecorder, type Answer } from './support.js';
import { BAD_HEADS, OK, byTurn, responseCases } from './cases/responses.js';

describe('response framing from the services', () => {
  it.each(responseCases.map((c) => [c.name, c] as const))('%s', (_name, c) => runCase(c));
});

describe('upstream connection reuse', () => {
  /** Two GETs, the second sent once the first is answered; how many upstream connections carried them. */
  async function connectionsFor(answer: Answer): Promise<{ statuses: number[]; connections: number }> {
    const recorder = await startRecorder(answer);
    const gw = await startFramingGateway(recorder);
    try {
      const a = await exchange(gw.port, `GET /1 HTTP/1.1\r\n${H}\r\n`, 1, false);
      const b = await exchange(gw.port, `GET /2 HTTP/1.1\r\n${H}\r\n`, 1, false);
      return { statuses: [...a.replies, ...b.replies].map((r) => r.status), connections: recorder.connections.length };
    } finally {
      await gw.close();
      await recorder.close();
    }
  }

  it('uses a connection again when the response ended exactly at its boundary', async () => {
    expect(await connectionsFor(byTurn(OK))).toEqual({ statuses: [200, 200], connections: 1 });
  });

  it('does not use a connection again that sent bytes past the response', async () => {
    expect(await connectionsFor(byTurn(`${OK}X`, OK))).toEqual({ statuses: [200, 200], connections: 2 });
  });

  it('does not use a connection again after an invalid response', async () => {
    expect(await connectionsFor(byTurn(BAD_HEADS[0]?.[1] ?? '', OK))).toEqual({ statuses: [502, 200], connections: 2 });
  });
});
