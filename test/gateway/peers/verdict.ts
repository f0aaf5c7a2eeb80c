/**
 * How the differential test compares what Baton's gateway, nginx and HAProxy did with the same
 * bytes. Their answers differ in wording (400 or 501 for the same refusal, each its own
 * forwarding headers upstream), so each is reduced to what matters for request framing: per
 * request, was it accepted (answered below 400) or refused; and the requests the upstream got
 * (method, target, body without its framing), in order.
 */

/** A request as the upstream got it: method, target, body with its framing removed. */
export type Forwarded = readonly [method: string, target: string, body: string];

/**
 * What the client saw, answer by answer: `accepted` (status below 400), `refused` (400 or
 * more, or the connection closed where an answer was due), `waits` (neither answered nor
 * closed: the proxy waits for bytes that will not come), `garbled` (an answer that is not
 * valid HTTP/1.1, relayed from a bad upstream answer).
 */
export type Step = 'accepted' | 'refused' | 'waits' | 'garbled';

/** What one proxy did with one case. */
export interface Outcome {
  readonly statuses: readonly number[];
  readonly steps: readonly Step[];
  readonly requests: readonly Forwarded[];
}

/** How the client's conversation ended, for `outcomeOf`. */
export interface Seen {
  readonly statuses: readonly number[];
  /** Answers the client's bytes call for (the case table's count for Baton). */
  readonly due: number;
  /** The client closed its sending side itself (then a close owes nothing). */
  readonly clientEnded: boolean;
  readonly closed: boolean;
  readonly waits: boolean;
  readonly garbled: boolean;
  readonly requests: readonly Forwarded[];
}

export function outcomeOf(s: Seen): Outcome {
  const steps: Step[] = s.statuses.map((st) => (st < 400 ? 'accepted' : 'refused'));
  if (s.garbled) steps.push('garbled');
  else if (s.waits) steps.push('waits');
  // Closed where an answer was due and none refused the request: a refusal without words.
  else if (s.closed && !s.clientEnded && s.statuses.length < s.due && steps[steps.length - 1] !== 'refused') steps.push('refused');
  return { statuses: s.statuses, steps, requests: s.requests };
}

function sameList<T>(a: readonly T[], b: readonly T[], eq: (x: T, y: T) => boolean): boolean {
  return a.length === b.length && a.every((x, i) => eq(x, b[i] as T));
}

const sameRequest = (a: Forwarded, b: Forwarded): boolean => a[0] === b[0] && a[1] === b[1] && a[2] === b[2];

/** Same steps and same requests upstream. */
export function agree(a: Outcome, b: Outcome): boolean {
  return sameList(a.steps, b.steps, (x, y) => x === y) && sameList(a.requests, b.requests, sameRequest);
}

/**
 * `b` refuses no later than `x` would have: the same answers up to its last, which is a
 * refusal where `x` answered (or waited) too, and the upstream got a first part of what it got
 * through `x`.
 */
export function stricter(b: Outcome, x: Outcome): boolean {
  const k = b.steps.length - 1;
  if (k < 0 || b.steps[k] !== 'refused' || k >= x.steps.length) return false;
  for (let i = 0; i < k; i++) if (b.steps[i] !== 'accepted' || x.steps[i] !== 'accepted') return false;
  return b.requests.length <= x.requests.length && b.requests.every((r, i) => sameRequest(r, x.requests[i] as Forwarded));
}

/** The judgement on one case. */
export interface Judgement {
  /** nginx and HAProxy did the same. */
  readonly peersAgree: boolean;
  readonly ok: boolean;
  readonly why: string;
}

/**
 * Where the peers agree, Baton must do the same (or, for a case Baton refuses on purpose, be
 * stricter than both: `onPurpose`); where they differ, Baton does what one of them does, or
 * refuses sooner. Baton never waits and never relays a garbled answer.
 */
export function judge(baton: Outcome, nginx: Outcome, haproxy: Outcome, onPurpose = false): Judgement {
  const peersAgree = agree(nginx, haproxy);
  if (baton.steps.includes('waits') || baton.steps.includes('garbled')) return { peersAgree, ok: false, why: `Baton ${baton.steps.join(', ')}` };
  if (peersAgree) {
    if (onPurpose) return { peersAgree, ok: !agree(baton, nginx) && stricter(baton, nginx), why: 'Baton refuses on purpose what both peers accept' };
    return { peersAgree, ok: agree(baton, nginx), why: 'both peers do the same, and Baton must' };
  }
  if (onPurpose) return { peersAgree, ok: false, why: 'listed as refused on purpose against both peers, but the peers differ' };
  const ok = [nginx, haproxy].some((x) => agree(baton, x) || stricter(baton, x));
  return { peersAgree, ok, why: 'the peers differ: Baton does what one does, or refuses sooner' };
}

/** One proxy's answer in words, for the docs table: `400`, `200, 200`, `no answer (waits)`. */
export function describeOutcome(o: Outcome): string {
  const parts = o.statuses.length > 0 ? [o.statuses.join(', ')] : [];
  const last = o.steps[o.steps.length - 1];
  if (last === 'waits') parts.push(o.statuses.length > 0 ? 'then waits' : 'no answer (waits)');
  else if (last === 'garbled') parts.push('relays the invalid answer');
  else if (last === 'refused' && o.steps.length > o.statuses.length) parts.push(o.statuses.length > 0 ? 'then closes' : 'closes without an answer');
  return parts.join(' ');
}

/** The requests the upstream got, in words: `GET http://a/ (5-byte body)`. */
export function describeRequests(o: Outcome): string {
  if (o.requests.length === 0) return 'nothing';
  return o.requests.map(([m, t, b]) => `${m} ${t}${b.length > 0 ? ` (${b.length}-byte body)` : ''}`).join('; ');
}
