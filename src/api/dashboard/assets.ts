/**
 * The dashboard's built files (`npm run build:dashboard` writes them to dist/dashboard), served
 * at the control API's root. They hold no data and need no token: the page asks the API, which
 * does. Read once into memory on first use (a few hundred KiB).
 *
 * Headers: the page runs only its own scripts and styles and talks only to its own origin (CSP
 * Level 3), it is never framed (clickjacking on the action buttons), and the `?token=` of a
 * sign-in link is never sent on as a Referer. Vite names built assets by content hash, so they
 * may be cached for good; index.html never is.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';

/** dist/dashboard of this package: three levels up from src/api/dashboard and from dist/api/dashboard alike. */
export const DEFAULT_DASHBOARD_DIR = join(import.meta.dirname, '..', '..', '..', 'dist', 'dashboard');

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json',
  '.woff2': 'font/woff2',
};

/** The Content-Security-Policy of every dashboard answer. */
export const DASHBOARD_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/** Headers every dashboard answer carries. */
export const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': DASHBOARD_CSP,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
};

interface Asset {
  body: Uint8Array;
  type: string;
}

/** The built dashboard, by URL path (`/`, `/assets/index-3f2a.js`). */
export interface DashboardAssets {
  /** False when the dashboard was not built in this copy (then `/` explains how to build it). */
  readonly built: boolean;
  /** The answer for `path` (GET or HEAD), or undefined when it is none of the dashboard's files. */
  serve(path: string, method: string): Response | undefined;
}

function readTree(dir: string): Map<string, Asset> {
  const files = new Map<string, Asset>();
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else files.set(`/${relative(dir, p).split(sep).join('/')}`, { body: readFileSync(p), type: CONTENT_TYPES[extname(name)] ?? 'application/octet-stream' });
    }
  };
  walk(dir);
  return files;
}

const NOT_BUILT = `<!doctype html><html lang="en"><meta charset="utf-8"><title>Baton</title>
<p>The dashboard is not built in this copy of Baton. Run <code>npm run build:dashboard</code> (or <code>npm run build</code>) and reload.</p>
<p>The control API answers under <code>/api/v1/</code> as usual.</p></html>`;

/** The dashboard's files in `dir` (default {@link DEFAULT_DASHBOARD_DIR}), read on first use. */
export function loadDashboardAssets(dir = DEFAULT_DASHBOARD_DIR): DashboardAssets {
  let files: Map<string, Asset> | undefined;
  const load = (): Map<string, Asset> => (files ??= existsSync(join(dir, 'index.html')) ? readTree(dir) : new Map<string, Asset>());
  return {
    get built() {
      return load().size > 0;
    },
    serve(path, method) {
      if (method !== 'GET' && method !== 'HEAD') return undefined;
      const all = load();
      if (path === '/' || path === '/index.html') {
        const index = all.get('/index.html');
        const body = index ? index.body : new TextEncoder().encode(NOT_BUILT);
        return answer(method, body, 'text/html; charset=utf-8', 'no-store', index ? 200 : 503);
      }
      const asset = all.get(path);
      if (!asset) return undefined;
      return answer(method, asset.body, asset.type, path.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  };
}

function answer(method: string, body: Uint8Array, type: string, cache: string, status = 200): Response {
  return new Response(method === 'HEAD' ? null : body, { status, headers: { ...SECURITY_HEADERS, 'content-type': type, 'cache-control': cache, 'content-length': String(body.length) } });
}
