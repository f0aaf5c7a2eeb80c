import { describe, expect, it } from 'vitest';
import { ScramExchange, ScramProtocolError, saslPayload, scramSecret } from './pglite-scram.js';

// RFC 7677 section 3: user "user", password "pencil".
const SALT = Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64');
const CLIENT_FIRST = 'n,,n=user,r=rOprNGfwEbeRWgbNEkqO';
const SERVER_NONCE = '%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0';
const SERVER_FIRST = `r=rOprNGfwEbeRWgbNEkqO${SERVER_NONCE},s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096`;
const CLIENT_FINAL = `c=biws,r=rOprNGfwEbeRWgbNEkqO${SERVER_NONCE},p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=`;
const SERVER_FINAL = 'v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=';

const exchange = (password = 'pencil'): ScramExchange => new ScramExchange(scramSecret(password, 4096, SALT), SERVER_NONCE);

describe('SCRAM-SHA-256, server side', () => {
  it('answers the RFC 7677 exchange message for message', () => {
    const x = exchange();
    expect(x.first(CLIENT_FIRST)).toBe(SERVER_FIRST);
    expect(x.final(CLIENT_FINAL)).toBe(SERVER_FINAL);
  });

  it('gives no server signature for the proof of another password', () => {
    const x = exchange('pencil2');
    x.first(CLIENT_FIRST);
    expect(x.final(CLIENT_FINAL)).toBeUndefined();
  });

  it('refuses channel binding, a nonce that is not its own, and malformed messages', () => {
    expect(() => exchange().first('p=tls-server-end-point,,n=,r=abc')).toThrow(ScramProtocolError);
    expect(() => exchange().first('n=user,r=abc')).toThrow(/malformed SCRAM client-first-message/);
    const x = exchange();
    x.first(CLIENT_FIRST);
    expect(() => x.final(CLIENT_FINAL.replace('rOprNG', 'xOprNG'))).toThrow(/nonce does not match/);
    expect(() => x.final(CLIENT_FINAL.replace('c=biws', 'c=eSws'))).toThrow(/channel binding does not match/);
    expect(() => x.final('c=biws')).toThrow(/malformed SCRAM client-final-message/);
  });

  it('reads the SCRAM text of a SASLInitialResponse and refuses another mechanism', () => {
    const data = Buffer.from(CLIENT_FIRST);
    const mechanism = (name: string): Buffer => {
      const body = Buffer.concat([Buffer.from(`${name}\0`), Buffer.alloc(4), data]);
      body.writeInt32BE(data.length, name.length + 1);
      const head = Buffer.alloc(5);
      head[0] = 0x70;
      head.writeInt32BE(4 + body.length, 1);
      return Buffer.concat([head, body]);
    };
    expect(saslPayload(mechanism('SCRAM-SHA-256'), true)).toBe(CLIENT_FIRST);
    expect(() => saslPayload(mechanism('SCRAM-SHA-256-PLUS'), true)).toThrow(/SCRAM-SHA-256-PLUS is not supported/);
    expect(() => saslPayload(Buffer.from([0x51, 0, 0, 0, 4]), false)).toThrow(/expected a password message/);
  });
});
