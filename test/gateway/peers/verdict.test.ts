import { describe, expect, it } from 'vitest';
import { describeOutcome, judge, outcomeOf, type Forwarded, type Outcome, type Seen } from './verdict.js';

const seen = (statuses: number[], requests: Forwarded[] = [], more: Partial<Seen> = {}): Outcome =>
  outcomeOf({ statuses, due: Math.max(1, statuses.length), clientEnded: false, closed: statuses.some((s) => s >= 400), waits: false, garbled: false, requests, ...more });

const GET: Forwarded = ['GET', '/', ''];
const accepted = seen([200], [GET]);
const refused = seen([400]);

describe('outcomeOf', () => {
  it('reads a close where an answer was due as a refusal, and a client that left as owed nothing', () => {
    expect(seen([], [], { due: 1, closed: true }).steps).toEqual(['refused']);
    expect(seen([200], [GET], { due: 2, closed: true }).steps).toEqual(['accepted', 'refused']);
    expect(seen([], [], { due: 0, closed: true, clientEnded: true }).steps).toEqual([]);
    expect(seen([], [], { waits: true }).steps).toEqual(['waits']);
  });

  it('describes each ending', () => {
    expect(describeOutcome(seen([200, 400], [GET]))).toBe('200, 400');
    expect(describeOutcome(seen([], [], { waits: true }))).toBe('no answer (waits)');
    expect(describeOutcome(seen([], [], { closed: true }))).toBe('closes without an answer');
    expect(describeOutcome(seen([], [], { garbled: true }))).toBe('relays the invalid answer');
  });
});

describe('judge', () => {
  it('where both peers accept, Baton must accept with the same requests upstream', () => {
    // The bare-LF head before Baton read it as nginx and HAProxy do: refused where both accept.
    expect(judge(refused, accepted, accepted).ok).toBe(false);
    expect(judge(accepted, accepted, accepted)).toMatchObject({ peersAgree: true, ok: true });
    expect(judge(seen([200], [['GET', '/other', '']]), accepted, accepted).ok).toBe(false);
    expect(judge(seen([200], [['GET', '/', 'x']]), accepted, accepted).ok).toBe(false);
  });

  it('where both refuse, Baton must refuse, whatever the status', () => {
    expect(judge(seen([501]), refused, seen([422])).ok).toBe(true);
    expect(judge(accepted, refused, refused).ok).toBe(false);
  });

  it('where the peers differ, Baton does what one does or refuses sooner', () => {
    expect(judge(refused, refused, accepted)).toMatchObject({ peersAgree: false, ok: true });
    expect(judge(accepted, refused, accepted).ok).toBe(true);
    expect(judge(seen([200], [['GET', 'http://a/', '']]), accepted, seen([200], [['GET', '/a', '']])).ok).toBe(false);
    // Sooner: the peers accept the first request and differ on the second; Baton refuses the first.
    const twoThenRefused = seen([200, 400], [GET]);
    const both = seen([200, 200], [GET, ['GET', '/2', '']]);
    expect(judge(refused, twoThenRefused, both).ok).toBe(true);
    // Later is not allowed: accepting what both refused.
    expect(judge(seen([200, 200], [GET, ['GET', '/2', '']]), refused, seen([], [], { waits: true })).ok).toBe(false);
    // A refusal where a peer waits is sooner.
    expect(judge(refused, seen([413]), seen([], [], { waits: true })).ok).toBe(true);
  });

  it('Baton never waits and never relays an invalid answer', () => {
    const waits = seen([], [], { waits: true });
    expect(judge(waits, waits, waits).ok).toBe(false);
    const garbled = seen([], [GET], { garbled: true });
    expect(judge(garbled, garbled, garbled).ok).toBe(false);
  });

  it('a case refused on purpose must still be one both peers accept and Baton refuses', () => {
    expect(judge(refused, accepted, accepted, true).ok).toBe(true);
    expect(judge(accepted, accepted, accepted, true).ok).toBe(false);
    expect(judge(refused, refused, accepted, true).ok).toBe(false);
  });
});
