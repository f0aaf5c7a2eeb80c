/**
 * One HTTP request for a metric provider, with Argo's failure wording: a refused connection, a
 * timeout or a cancelled measurement is a result (`{ok: false, message}`), never an exception.
 * Messages follow Go's `*url.Error` (`Get "http://x/api": context deadline exceeded`), which is
 * what Argo stores as the measurement message.
 */
import { Agent, request, type Dispatcher } from 'undici';

/** Bodies past this are cut off: a metric answer is small, a runaway endpoint must not fill memory. */
export const MAX_RESPONSE_BYTES = 10 * 1024 * 1024;

/** One request: what to send, how long to wait, and the measurement's stop signal. */
export interface HttpSendOptions {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
  signal: AbortSignal;
  /** Skip TLS verification (Argo's `insecure: true`). */
  insecure: boolean;
  /**
   * Word a timeout as Go's `http.Client.Timeout` does (web provider) rather than as a context
   * deadline (Prometheus provider, `context.WithTimeout`).
   */
  clientTimeout?: boolean;
}

/** The answer (any status) or why there is none, with a message ready for the measurement. */
export type HttpSendResult =
  | { ok: true; status: number; headers: Record<string, string>; text: string }
  | { ok: false; message: string; cause: 'timeout' | 'aborted' | 'network' | 'too-large' | 'bad-url' };

/** The longest delay a Node timer takes. */
const MAX_TIMER_MS = 2_147_483_647;

let insecureAgent: Dispatcher | undefined;

function dispatcherFor(insecure: boolean): Dispatcher | undefined {
  if (!insecure) return undefined;
  insecureAgent ??= new Agent({ connect: { rejectUnauthorized: false } });
  return insecureAgent;
}

/** Go's url.Error spells the method as `Get`, `Post`, ... */
function goOp(method: string): string {
  const m = method.toLowerCase();
  return m.charAt(0).toUpperCase() + m.slice(1);
}

function describeNetworkError(e: unknown): string {
  if (e instanceof Error) {
    // undici wraps the socket error: "fetch failed" / "other side closed"; the cause holds the code.
    const cause = (e as { cause?: unknown }).cause;
    if (cause instanceof Error && cause.message) return cause.message;
    return e.message || e.name;
  }
  return String(e);
}

function flattenHeaders(h: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

/** Sends the request; resolves a failure result for every outside problem. */
export async function httpSend(opts: HttpSendOptions): Promise<HttpSendResult> {
  const op = `${goOp(opts.method)} "${opts.url}"`;
  let url: URL;
  try {
    url = new URL(opts.url);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`unsupported protocol scheme "${url.protocol.replace(/:$/, '')}"`);
  } catch (e) {
    return { ok: false, cause: 'bad-url', message: `${op}: ${e instanceof TypeError ? 'invalid URL' : describeNetworkError(e)}` };
  }
  if (opts.signal.aborted) return { ok: false, cause: 'aborted', message: `${op}: context canceled` };
  // AbortSignal.timeout takes a whole number of ms that fits a 32-bit timer (about 24.8 days).
  const timeout = AbortSignal.timeout(Math.min(MAX_TIMER_MS, Math.max(1, Math.ceil(opts.timeoutMs))));
  const signal = AbortSignal.any([opts.signal, timeout]);
  const failure = (e: unknown): HttpSendResult => {
    if (opts.signal.aborted) return { ok: false, cause: 'aborted', message: `${op}: context canceled` };
    if (timeout.aborted) {
      const suffix = opts.clientTimeout ? ' (Client.Timeout exceeded while awaiting headers)' : '';
      return { ok: false, cause: 'timeout', message: `${op}: context deadline exceeded${suffix}` };
    }
    return { ok: false, cause: 'network', message: `${op}: ${describeNetworkError(e)}` };
  };
  let res: Dispatcher.ResponseData;
  try {
    res = await request(url, {
      method: opts.method,
      headers: opts.headers,
      body: opts.body,
      signal,
      dispatcher: dispatcherFor(opts.insecure),
    });
  } catch (e) {
    return failure(e);
  }
  try {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_RESPONSE_BYTES) {
        res.body.destroy();
        return { ok: false, cause: 'too-large', message: `${op}: response body larger than ${MAX_RESPONSE_BYTES} bytes` };
      }
      chunks.push(chunk);
    }
    return { ok: true, status: res.statusCode, headers: flattenHeaders(res.headers), text: Buffer.concat(chunks).toString('utf8') };
  } catch (e) {
    return failure(e);
  }
}
