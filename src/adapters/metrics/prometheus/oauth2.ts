/**
 * `authentication.oauth2` for the Prometheus provider: a token from the OAuth2 client-credentials
 * grant (RFC 6749 section 4.4), sent as `Authorization: Bearer ...`, as Argo does through
 * golang.org/x/oauth2/clientcredentials. Client authentication follows that library's
 * auto-detection: HTTP Basic first (RFC 6749 section 2.3.1), then the credentials in the form.
 * Tokens are reused until shortly before `expires_in` runs out. `sigv4` (Amazon Managed
 * Prometheus) is not supported and says so.
 */
import { httpSend } from '../http-send.js';

/** The `authentication.oauth2` block. */
export interface OAuth2Config {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  scopes: string[];
}

/** The oauth2 settings when given, or why `authentication` cannot be used. */
export type AuthParse = { ok: true; oauth2?: OAuth2Config } | { ok: false; message: string };

/** Refresh this long before the server's expiry, as x/oauth2 does (`expiryDelta`, 10 s). */
const EXPIRY_DELTA_MS = 10_000;

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Reads `authentication` as written; names the field that is wrong. */
export function parseAuthentication(auth: Record<string, unknown> | undefined): AuthParse {
  if (!auth) return { ok: true };
  if (auth.sigv4 !== undefined) return { ok: false, message: 'authentication.sigv4 is not supported by Baton; use authentication.oauth2 or headers' };
  const o = auth.oauth2;
  if (o === undefined) return { ok: true };
  if (!isObject(o)) return { ok: false, message: 'authentication.oauth2 must be a mapping with tokenUrl, clientId and clientSecret' };
  const str = (k: string): string | undefined => (typeof o[k] === 'string' ? (o[k]) : undefined);
  const tokenUrl = str('tokenUrl');
  if (!tokenUrl) return { ok: false, message: 'authentication.oauth2.tokenUrl is required' };
  const scopes = Array.isArray(o.scopes) ? o.scopes.filter((s): s is string => typeof s === 'string') : [];
  return { ok: true, oauth2: { tokenUrl, clientId: str('clientId') ?? '', clientSecret: str('clientSecret') ?? '', scopes } };
}

interface CachedToken {
  accessToken: string;
  tokenType: string;
  expiresAt: number;
}

/** Fetches and caches client-credentials tokens; one per (tokenUrl, clientId, scopes). */
export class OAuth2TokenSource {
  private readonly cache = new Map<string, CachedToken>();

  constructor(private readonly now: () => number = Date.now) {}

  /** The Authorization header value, or a failure message worded like x/oauth2's. */
  async authorization(cfg: OAuth2Config, signal: AbortSignal, timeoutMs: number): Promise<{ ok: true; header: string } | { ok: false; message: string }> {
    const key = JSON.stringify([cfg.tokenUrl, cfg.clientId, cfg.clientSecret, cfg.scopes]);
    const hit = this.cache.get(key);
    if (hit && hit.expiresAt > this.now()) return { ok: true, header: `${hit.tokenType} ${hit.accessToken}` };
    this.cache.delete(key);

    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    if (cfg.scopes.length > 0) form.set('scope', cfg.scopes.join(' '));
    const basic = `Basic ${Buffer.from(`${encodeURIComponent(cfg.clientId)}:${encodeURIComponent(cfg.clientSecret)}`).toString('base64')}`;
    const send = (headers: Record<string, string>, body: URLSearchParams) =>
      httpSend({
        method: 'POST',
        url: cfg.tokenUrl,
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body: body.toString(),
        timeoutMs,
        signal,
        insecure: false,
      });
    let res = await send({ authorization: basic }, form);
    if (res.ok && res.status >= 400 && res.status < 500) {
      // Auto-detect: the server may want the credentials in the form instead.
      const inParams = new URLSearchParams(form);
      inParams.set('client_id', cfg.clientId);
      inParams.set('client_secret', cfg.clientSecret);
      res = await send({}, inParams);
    }
    if (!res.ok) return { ok: false, message: res.message };
    if (res.status < 200 || res.status >= 300) {
      return { ok: false, message: `oauth2: cannot fetch token: ${res.status}\nResponse: ${res.text.slice(0, 500)}` };
    }
    let body: { access_token?: unknown; token_type?: unknown; expires_in?: unknown };
    try {
      body = JSON.parse(res.text) as typeof body;
    } catch {
      return { ok: false, message: `oauth2: cannot parse token response: ${res.text.slice(0, 200)}` };
    }
    if (typeof body.access_token !== 'string' || body.access_token === '') return { ok: false, message: 'oauth2: server response missing access_token' };
    const expiresIn = typeof body.expires_in === 'number' ? body.expires_in : Number(body.expires_in);
    const token: CachedToken = {
      accessToken: body.access_token,
      // x/oauth2 normalises the type: "bearer" -> "Bearer"; an empty type means Bearer.
      tokenType: typeof body.token_type === 'string' && body.token_type.toLowerCase() !== 'bearer' && body.token_type !== '' ? body.token_type : 'Bearer',
      expiresAt: Number.isFinite(expiresIn) && expiresIn > 0 ? this.now() + expiresIn * 1000 - EXPIRY_DELTA_MS : Infinity,
    };
    this.cache.set(key, token);
    return { ok: true, header: `${token.tokenType} ${token.accessToken}` };
  }
}
