/**
 * The request-framing cases (`../framing/cases/*`) sent byte for byte through Baton's gateway,
 * nginx and HAProxy (Debian's packages, each a reverse proxy to a recording upstream of its
 * own over kept-alive HTTP/1.1), one connection per case. Where nginx and HAProxy agree on what
 * to accept and on what the upstream gets, Baton must do the same; where they differ, Baton
 * does what one of them does or refuses sooner, and the case is listed in docs/gateway.md with
 * every answer (issue 17: "where HAProxy and nginx agree, Baton answers the same").
 *
 * Cases run one after the other on one instance of each proxy. A case's share of what an
 * upstream recorded is what arrived between its start and a fence request sent through the
 * same proxy once the client has its answers, so nothing of a case is counted in the next.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../../../src/gateway/server.js';
import { missingPeers, startPeer, type RunningPeer } from '../../support/peers.js';
import { chunkedCases } from '../framing/cases/chunked.js';
import { contentLengthCases } from '../framing/cases/content-length.js';
import { headSyntaxCases } from '../framing/cases/head-syntax.js';
import { methodCases } from '../framing/cases/methods.js';
import { responseCases } from '../framing/cases/responses.js';
import { transferEncodingCases } from '../framing/cases/transfer-encoding.js';
import { converse, echo, exchange, startFramingGateway, startRecorder, type Answer, type FramingCase, type Recorder } from '../framing/support.js';
import { describeOutcome, describeRequests, judge, outcomeOf, type Outcome } from './verdict.js';

const CASES: readonly FramingCase[] = [...contentLengthCases, ...transferEncodingCases, ...headSyntaxCases, ...chunkedCases, ...methodCases, ...responseCases];

/**
 * Cases Baton refuses although nginx and HAProxy both accept them, each with its reason. The
 * test checks that each still is such a case, so the list cannot go stale.
 */
const REFUSED_ON_PURPOSE: Readonly<Record<string, string>> = {
  'a Host with userinfo': 'RFC 9112 3.2: a server MUST answer 400 to a Host field with an invalid value, and userinfo is not part of uri-host',
  'Transfer-Encoding with Content-Length: 502 (request without a body)': 'RFC 9112 6.1: such an answer ought to be handled as an error; Node\'s HTTP client, which carries requests with a body, refuses it, and both upstream paths answer alike',
  'Transfer-Encoding with Content-Length: 502 (request with a body)': 'as above',
  'a bare LF in the head: 502 (request without a body)': 'Node\'s HTTP client (llhttp) refuses a bare LF in an answer, so the path for requests with a body cannot read it, and both paths answer alike',
  'a bare LF in the head: 502 (request with a body)': 'as above',
};

/** How long a proxy may take to answer before it counts as waiting for more bytes. */
const WAIT_MS = 2000;
const FENCE = '/.fence';

/** One proxy under test, with its own recording upstream; `answer` and `base` are set per case. */
interface Target {
  readonly name: 'Baton' | 'nginx' | 'HAProxy';
  port: number;
  recorder: Recorder;
  answer: Answer;
  /** Requests recorded before the current case. */
  base: number;
}

async function newTarget(name: Target['name']): Promise<Target> {
  const t: Target = { name, port: 0, recorder: undefined as unknown as Recorder, answer: echo, base: 0 };
  t.recorder = await startRecorder((req, n) => (req.target === FENCE ? echo(req, n) : t.answer(req, n - t.base)));
  return t;
}

/** Sends one case through `t` and reduces what happened to an `Outcome`. */
async function observe(t: Target, c: FramingCase): Promise<Outcome> {
  t.base = t.recorder.requests.length;
  t.answer = c.answer ?? echo;
  const conv = converse(t.port, c.send, c.heads, c.end);
  let garbled = false;
  let waits = false;
  try {
    // Every answer due has come (a client that left waits for the close instead), or the proxy closed.
    waits = !(await conv.until(() => conv.replies.length >= c.statuses.length && c.end !== true, WAIT_MS));
  } catch {
    garbled = true;
  }
  // The proxy has finished with the case's bytes once it has served a request sent after them.
  await exchange(t.port, `GET ${FENCE} HTTP/1.1\r\nhost: h\r\n\r\n`, 1, false);
  conv.close();
  return outcomeOf({
    statuses: conv.replies.map((r) => r.status),
    due: c.statuses.length,
    clientEnded: c.end === true,
    closed: conv.closed,
    waits: waits && !conv.closed && conv.replies.length < c.statuses.length,
    garbled,
    requests: t.recorder.requests
      .slice(t.base)
      .filter((r) => r.target !== FENCE)
      .map((r) => [r.method, r.target, r.body] as const),
  });
}

/** The docs row of a case: the case, then each proxy's answer (with what its upstream got, where the peers' upstreams got different requests). */
function docsRow(name: string, baton: Outcome, nginx: Outcome, haproxy: Outcome): string {
  const upstreamsDiffer = describeRequests(nginx) !== describeRequests(haproxy);
  const cell = (o: Outcome): string => describeOutcome(o) + (upstreamsDiffer && o.requests.length > 0 ? `; upstream got ${describeRequests(o)}` : '');
  return `| ${name} | ${cell(nginx)} | ${cell(haproxy)} | ${cell(baton)} |`;
}

const missing = missingPeers();
// Outside CI a machine without the peers skips this file; in CI a missing peer fails it (the test setup installs them as root).
const skip = missing.length > 0 && !process.env.CI;

describe.skipIf(skip)(`request framing: Baton against nginx and HAProxy${skip ? ` (skipped: ${missing.join(' and ')} not installed; apt-get install ${missing.join(' ')})` : ''}`, () => {
  const targets: Target[] = [];
  const peers: RunningPeer[] = [];
  let gateway: RunningGateway | undefined;
  /** Docs rows of the cases where Baton does not simply do what both peers do. */
  const rows = new Map<string, string>();
  let agreed = 0;

  beforeAll(async () => {
    for (const name of ['Baton', 'nginx', 'HAProxy'] as const) {
      const t = await newTarget(name);
      targets.push(t);
      if (name === 'Baton') {
        gateway = await startFramingGateway(t.recorder);
        t.port = gateway.port;
      } else {
        const p = await startPeer(name === 'nginx' ? 'nginx' : 'haproxy', t.recorder.key);
        peers.push(p);
        t.port = p.port;
      }
    }
  });

  afterAll(async () => {
    await gateway?.close();
    for (const p of peers) await p.stop();
    for (const t of targets) await t.recorder.close();
    process.stdout.write(`differential: ${CASES.length} cases through ${peers.map((p) => p.version).join(' and ')}: the peers agree on ${agreed}, differ on ${rows.size - Object.keys(REFUSED_ON_PURPOSE).length}; Baton refuses ${Object.keys(REFUSED_ON_PURPOSE).length} on purpose\n`);
  });

  it('has cases of unique names', () => {
    expect(new Set(CASES.map((c) => c.name)).size).toBe(CASES.length);
  });

  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (name, c) => {
    const [baton, nginx, haproxy] = (await Promise.all(targets.map((t) => observe(t, c)))) as [Outcome, Outcome, Outcome];
    const onPurpose = name in REFUSED_ON_PURPOSE;
    const j = judge(baton, nginx, haproxy, onPurpose);
    if (j.peersAgree && !onPurpose) agreed++;
    else rows.set(name, docsRow(name, baton, nginx, haproxy));
    const seen = { Baton: [baton.steps, describeRequests(baton)], nginx: [nginx.steps, describeRequests(nginx)], HAProxy: [haproxy.steps, describeRequests(haproxy)] };
    expect(j.ok, `${j.why}: ${JSON.stringify(seen)}`).toBe(true);
  });

  it('lists every case where Baton does not do what both peers do in docs/gateway.md, with every answer', () => {
    const docs = readFileSync(new URL('../../../docs/gateway.md', import.meta.url), 'utf8');
    const absent = [...rows.values()].filter((row) => !docs.includes(row));
    expect(absent, `rows missing from docs/gateway.md:\n${absent.join('\n')}`).toEqual([]);
  });
});
