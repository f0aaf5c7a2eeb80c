// The tbyte frontend: a page that calls /api/users through the gateway, /healthz for probes.
// ERROR_RATE (0..1) and EXTRA_LATENCY_MS stage a bad release; BATON_IMAGE is the version shown.
import { createServer } from 'node:http';

const port = Number(process.env.PORT ?? 3000);
const errorRate = Number(process.env.ERROR_RATE ?? 0);
const extraLatencyMs = Number(process.env.EXTRA_LATENCY_MS ?? 0);
const version = process.env.BATON_IMAGE ?? 'tbyte/frontend:dev';

const page = `<!doctype html>
<html><head><meta charset="utf-8"><title>tbyte</title></head>
<body><h1>tbyte</h1><p id="version">${version}</p><ul id="users"></ul>
<script>
fetch('/api/users').then(r => r.json()).then(users => {
  document.getElementById('users').innerHTML = users.map(u => '<li>' + u.name + '</li>').join('');
});
</script></body></html>`;

// Sign-ups go to the users database when TBYTE_DATABASE_URL is a postgres:// URL (`baton up`
// serves its embedded database there). The schema change 0001_email_verified ships with v2:
// v1 knows confirmation as a timestamp (email_confirmed_at); v2 and later write the boolean
// email_verified and, while the old column exists (v1 processes still read it during the
// canary), the timestamp too: dual writes, until the contract drops the old column.
const databaseUrl = process.env.TBYTE_DATABASE_URL ?? '';
const generation = Number(/:v(\d+)$/.exec(version)?.[1] ?? Infinity);
const writesEmailVerified = generation >= 2;
let oldColumn = true;
let pool;
async function database() {
  if (!/^postgres(ql)?:/.test(databaseUrl)) throw Object.assign(new Error('no database: TBYTE_DATABASE_URL is not a postgres:// URL'), { status: 503 });
  if (!pool) {
    const { default: pg } = await import('pg');
    pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
    pool.on('error', () => {}); // an idle connection lost: the next query opens a new one
  }
  return pool;
}
async function signup(email, confirmed) {
  const db = await database();
  const at = confirmed ? new Date() : null;
  if (!writesEmailVerified) {
    const r = await db.query('INSERT INTO users (email, email_confirmed_at) VALUES ($1, $2) RETURNING id', [email, at]);
    return { id: r.rows[0].id, wrote: ['email_confirmed_at'] };
  }
  if (oldColumn) {
    try {
      const r = await db.query('INSERT INTO users (email, email_confirmed_at, email_verified) VALUES ($1, $2, $3) RETURNING id', [email, at, confirmed]);
      return { id: r.rows[0].id, wrote: ['email_confirmed_at', 'email_verified'] };
    } catch (e) {
      if (e.code !== '42703') throw e; // undefined_column: the contract has dropped it
      oldColumn = false;
    }
  }
  const r = await db.query('INSERT INTO users (email, email_verified) VALUES ($1, $2) RETURNING id', [email, confirmed]);
  return { id: r.rows[0].id, wrote: ['email_verified'] };
}

// LOG_REQUESTS=1 writes one line per request (method, path, Host) to stdout: `baton logs` shows
// what reached this revision, mirrored copies (Host ending in -shadow) included.
const logRequests = process.env.LOG_REQUESTS === '1';

const server = createServer((req, res) => {
  if (logRequests && req.url !== '/healthz') console.log(`${req.method} ${req.url} host=${req.headers.host}`);
  if (req.url === '/healthz') {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok');
    return;
  }
  if (req.method === 'POST' && req.url.startsWith('/signup?')) {
    const q = new URL(req.url, 'http://x').searchParams;
    const reply = (status, body) => {
      res.writeHead(status, { 'content-type': 'application/json', 'x-version': version });
      res.end(JSON.stringify({ ...body, version }));
    };
    signup(q.get('email') ?? '', q.get('confirmed') === '1').then(
      (row) => reply(201, row),
      (e) => reply(e.status ?? 500, { error: e.message }),
    );
    return;
  }
  if (req.url !== '/' && !req.url.startsWith('/?')) {
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: 'not found', path: req.url, version }));
    return;
  }
  const answer = () => {
    if (Math.random() < errorRate) {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'staged failure', version }));
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'x-version': version });
    res.end(page);
  };
  if (extraLatencyMs > 0) setTimeout(answer, extraLatencyMs);
  else answer();
});
server.keepAliveTimeout = 65_000;
server.listen(port, '127.0.0.1');

// Finish what is in flight, then exit: Baton has already taken this process out of the route.
process.on('SIGTERM', () => {
  server.close(() => (pool ? pool.end() : Promise.resolve()).finally(() => process.exit(0)));
  server.closeIdleConnections();
});
