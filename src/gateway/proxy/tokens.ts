/** RFC 9110 section 5.6.2 `token`, shared by the request, chunked-body and response readers. */

/** `tchar` as a lookup table over char codes 0-127. */
const TCHAR = new Uint8Array(128);
for (const c of "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") TCHAR[c.charCodeAt(0)] = 1;

/** Whether char code `c` is a `tchar`. */
export function isTchar(c: number): boolean {
  return c < 128 && TCHAR[c] === 1;
}

/** Whether `s` up to `end` (default its length) is a token: one or more `tchar`. */
export function isToken(s: string, end = s.length): boolean {
  if (end === 0) return false;
  for (let i = 0; i < end; i++) if (!isTchar(s.charCodeAt(i))) return false;
  return true;
}
