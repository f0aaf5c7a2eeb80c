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
  server.close(() => process.exit(0));
  server.closeIdleConnections();
});
