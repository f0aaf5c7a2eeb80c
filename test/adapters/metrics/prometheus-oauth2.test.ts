/** The prometheus provider's `authentication.oauth2`, against a local token server and API. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrometheusProvider } from '../../../src/core/spec/types.js';
import { createPrometheusProvider } from '../../../src/adapters/metrics/prometheus/index.js';
import type { MeasureContext } from '../../../src/ports/metrics-provider.js';
import { json, startHttpServer, type TestHttpServer } from './servers.js';

const ctx = (): MeasureContext => ({ signal: new AbortController().signal, runName: 'run-1', metricName: 'm' });

let issued = 0;
let tokenServer: TestHttpServer;
let api: TestHttpServer;

beforeAll(async () => {
  tokenServer = await startHttpServer((req, res) => {
    const form = new URLSearchParams(req.body);
    const basicOk = req.headers.authorization === `Basic ${Buffer.from('baton:s3cret').toString('base64')}`;
    const paramsOk = form.get('client_id') === 'form-client' && form.get('client_secret') === 'form-secret';
    if (req.url === '/params-only' ? !paramsOk : !basicOk) {
      json(res, 401, { error: 'invalid_client' });
      return;
    }
    if (form.get('grant_type') !== 'client_credentials') {
      json(res, 400, { error: 'unsupported_grant_type' });
      return;
    }
    issued++;
    json(res, 200, { access_token: `tok${issued}`, token_type: 'bearer', expires_in: 60, scope: form.get('scope') });
  });
  api = await startHttpServer((req, res) => {
    const m = /^Bearer (tok\d+)$/.exec(req.headers.authorization ?? '');
    if (!m) {
      json(res, 401, { status: 'error', errorType: 'unauthorized', error: 'no token' });
      return;
    }
    // The token number comes back as the value, so the test sees which token was used.
    json(res, 200, { status: 'success', data: { resultType: 'scalar', result: [1, (m[1] ?? '').slice(3)] } });
  });
});
afterAll(async () => {
  await tokenServer?.close();
  await api?.close();
});

const spec = (oauth2: Record<string, unknown>): PrometheusProvider => ({
  type: 'prometheus',
  address: api.url,
  query: 'up',
  insecure: false,
  headers: [],
  authentication: { oauth2 },
});

describe('prometheus oauth2 client credentials', () => {
  it('fetches a token with HTTP Basic client auth, sends it as Bearer and reuses it until expiry', async () => {
    let now = 1_000_000;
    const provider = createPrometheusProvider({ now: () => now });
    const s = spec({ tokenUrl: `${tokenServer.url}/token`, clientId: 'baton', clientSecret: 's3cret', scopes: ['read', 'metrics'] });
    const before = issued;
    const first = await provider.measure(s, ctx());
    expect(first).toEqual({ kind: 'value', value: before + 1, display: String(before + 1) });
    const tokenReq = tokenServer.requests.at(-1);
    expect(new URLSearchParams(tokenReq?.body).get('scope')).toBe('read metrics');
    expect(await provider.measure(s, ctx())).toEqual(first);
    expect(issued).toBe(before + 1);
    // 60 s tokens are refreshed 10 s early.
    now += 51_000;
    expect(await provider.measure(s, ctx())).toEqual({ kind: 'value', value: before + 2, display: String(before + 2) });
  });

  it('falls back to credentials in the form when Basic is refused', async () => {
    const provider = createPrometheusProvider();
    const s = spec({ tokenUrl: `${tokenServer.url}/params-only`, clientId: 'form-client', clientSecret: 'form-secret' });
    const r = await provider.measure(s, ctx());
    expect(r.kind).toBe('value');
    expect(tokenServer.requests.at(-1)?.headers.authorization).toBeUndefined();
  });

  it('reports a refused token request as an Error and queries nothing', async () => {
    const provider = createPrometheusProvider();
    const calls = api.requests.length;
    const r = await provider.measure(spec({ tokenUrl: `${tokenServer.url}/token`, clientId: 'baton', clientSecret: 'wrong' }), ctx());
    expect(r.kind).toBe('error');
    if (r.kind === 'error') expect(r.message).toMatch(/^Get "http:\/\/127\.0\.0\.1:\d+\/api\/v1\/query\?.*": oauth2: cannot fetch token: 401/);
    expect(api.requests.length).toBe(calls);
  });

  it('names unsupported or incomplete authentication', async () => {
    const provider = createPrometheusProvider();
    const sigv4: PrometheusProvider = { ...spec({}), authentication: { sigv4: { region: 'eu-west-1' } } };
    expect(await provider.measure(sigv4, ctx())).toMatchObject({ kind: 'error', message: 'authentication.sigv4 is not supported by Baton; use authentication.oauth2 or headers' });
    expect(await provider.measure(spec({ clientId: 'x' }), ctx())).toEqual({ kind: 'error', message: 'authentication.oauth2.tokenUrl is required' });
  });
});
