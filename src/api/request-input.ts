/**
 * Reading the control API's input strictly: path segments, query parameters and JSON bodies.
 * Anything a client can send wrong (a bad `%`-escape, JSON that does not parse, `null`, a field
 * of the wrong type) is an {@link InvalidInputError} naming the input, which the handler answers
 * 400; a request never reaches the controller half-checked, so bad input is never a 500.
 */
import { InvalidInputError } from '../core/errors.js';
import type { ActionRequest, ApplyRequest, ShutdownRequest } from './types.js';

/** `%` not followed by two hex digits: RFC 3986 section 2.1 allows no other use of `%`. */
const BAD_PERCENT = /%(?![0-9a-fA-F]{2})/;

/** Decodes one path segment or query component; a malformed escape is a 400 naming it. */
export function decodeComponent(raw: string, what: string): string {
  try {
    if (BAD_PERCENT.test(raw)) throw new URIError('malformed');
    return decodeURIComponent(raw);
  } catch {
    throw new InvalidInputError('invalid-escape', `${what} ${JSON.stringify(raw)} has a malformed %-escape (each % must start a valid UTF-8 %XX sequence)`, { input: raw });
  }
}

/** The path after `prefix`, split into decoded segments. */
export function pathSegments(rawPath: string, prefix: string): string[] {
  return rawPath
    .slice(prefix.length)
    .split('/')
    .map((s) => decodeComponent(s, 'path segment'));
}

/**
 * The query parameters, decoded strictly. `URLSearchParams` leaves a bad escape as it is, so the
 * raw query is checked first; `+` means a space, as in HTML forms.
 */
export function queryParams(rawSearch: string): Map<string, string> {
  const out = new Map<string, string>();
  const search = rawSearch.startsWith('?') ? rawSearch.slice(1) : rawSearch;
  if (search === '') return out;
  for (const pair of search.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const k = decodeComponent((eq < 0 ? pair : pair.slice(0, eq)).replace(/\+/g, ' '), 'query parameter');
    const v = decodeComponent((eq < 0 ? '' : pair.slice(eq + 1)).replace(/\+/g, ' '), `query parameter ${k}`);
    out.set(k, v);
  }
  return out;
}

/** A whole number >= 0, or undefined when the parameter is absent or empty. */
export function intParam(params: Map<string, string>, name: string): number | undefined {
  const v = params.get(name);
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(n)) throw new InvalidInputError('invalid-query', `${name}: ${JSON.stringify(v)} is not a whole number >= 0`, { [name]: v });
  return n;
}

/** The body as a JSON object; anything else (no JSON, `null`, an array, a number) is a 400. */
export async function jsonObject(req: Request, shape: string): Promise<Record<string, unknown>> {
  const text = await req.text();
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new InvalidInputError('invalid-body', `the request body is not JSON (${e instanceof Error ? e.message : String(e)}); send ${shape}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidInputError('invalid-body', `the request body must be a JSON object ${shape}, not ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}`);
  }
  return value as Record<string, unknown>;
}

const ACTIONS: readonly ActionRequest['action'][] = ['promote', 'abort', 'retry', 'pause', 'resume', 'undo', 'restart', 'set-image'];

function optional<T>(body: Record<string, unknown>, key: string, check: (v: unknown) => v is T, expected: string): T | undefined {
  const v = body[key];
  if (v === undefined) return undefined;
  if (!check(v)) throw new InvalidInputError('invalid-body', `${key}: ${JSON.stringify(v)} is not ${expected}`, { field: key });
  return v;
}

const isBoolean = (v: unknown): v is boolean => typeof v === 'boolean';
const isString = (v: unknown): v is string => typeof v === 'string';
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isImageMap = (v: unknown): v is Record<string, string> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && Object.entries(v).every(([k, i]) => k !== '' && typeof i === 'string' && i !== '');

/** `POST /api/v1/workloads/:name/actions`. */
export function actionRequest(body: Record<string, unknown>): ActionRequest {
  const action = body.action;
  if (typeof action !== 'string' || !(ACTIONS as readonly string[]).includes(action)) {
    throw new InvalidInputError('invalid-action', `action ${JSON.stringify(action)} is not one of ${ACTIONS.join(', ')}`);
  }
  const full = optional(body, 'full', isBoolean, 'true or false');
  const toRevision = optional(body, 'toRevision', isCount, 'a whole number >= 0');
  const images = optional(body, 'images', isImageMap, 'a map of container name to image');
  const reason = optional(body, 'reason', isString, 'a string');
  return {
    action: action as ActionRequest['action'],
    ...(full !== undefined ? { full } : {}),
    ...(toRevision !== undefined ? { toRevision } : {}),
    ...(images !== undefined ? { images } : {}),
    ...(reason !== undefined ? { reason } : {}),
  };
}

const APPLY_SHAPE = '{"files": [{"path": "...", "text": "..."}], "prune": false, "dryRun": false}';

/** `POST /api/v1/apply`. */
export function applyRequest(body: Record<string, unknown>): ApplyRequest {
  const files = body.files;
  if (!Array.isArray(files)) throw new InvalidInputError('invalid-body', `apply needs ${APPLY_SHAPE}`);
  files.forEach((f: unknown, i) => {
    const file = f as { path?: unknown; text?: unknown } | null;
    if (typeof file !== 'object' || file === null || typeof file.path !== 'string' || typeof file.text !== 'string' || file.path === '') {
      throw new InvalidInputError('invalid-body', `files[${i}] needs a non-empty string path and a string text: apply needs ${APPLY_SHAPE}`, { index: i });
    }
  });
  const prune = optional(body, 'prune', isBoolean, 'true or false');
  const dryRun = optional(body, 'dryRun', isBoolean, 'true or false');
  return {
    files: (files as { path: string; text: string }[]).map((f) => ({ path: f.path, text: f.text })),
    ...(prune !== undefined ? { prune } : {}),
    ...(dryRun !== undefined ? { dryRun } : {}),
  };
}

/** `POST /api/v1/shutdown`. */
export function shutdownRequest(body: Record<string, unknown>): ShutdownRequest {
  const keepServices = optional(body, 'keepServices', isBoolean, 'true or false');
  return keepServices !== undefined ? { keepServices } : {};
}
