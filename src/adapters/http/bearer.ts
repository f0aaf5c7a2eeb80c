/**
 * The Bearer token check of the control API and the embedded Prometheus (RFC 6750 section 2.1:
 * `Authorization: Bearer <token>`), compared in constant time.
 */
import { timingSafeEqual } from 'node:crypto';

/** Whether `header` is `Bearer <token>`. */
export function bearerMatches(header: string | null, token: string): boolean {
  const given = /^Bearer\s+(.+)$/i.exec(header ?? '')?.[1]?.trim();
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}
