// The tbyte backend: /health and /users. ERROR_RATE (0..1) and EXTRA_LATENCY_MS stage a bad release.
import { createServer } from 'node:http';

const port = Number(process.env.PORT ?? 3000);
const errorRate = Number(process.env.ERROR_RATE ?? 0);
const extraLatencyMs = Number(process.env.EXTRA_LATENCY_MS ?? 0);
const version = process.env.BATON_IMAGE ?? 'tbyte/backend:dev';
const users = [
  { id: 1, name: 'Ada Lovelace', email: 'ada@example.com' },
  { id: 2, name: 'Grace Hopper', email: 'grace@example.com' },
  { id: 3, name: 'Margaret Hamilton', email: 'margaret@example.com' },
];

const server = createServer((req, res) => {
  const send = (status, body) => {
    res.writeHead(status, { 'content-type': 'application/json', 'x-version': version });
    res.end(JSON.stringify(body));
  };
  const answer = () => {
    if (req.url === '/health') return send(200, { status: 'ok', version });
    if (Math.random() < errorRate) return send(500, { error: 'staged failure', version });
    if (req.url === '/users') return send(200, users);
    return send(404, { error: `no route ${req.url}` });
  };
  if (extraLatencyMs > 0 && req.url !== '/health') setTimeout(answer, extraLatencyMs);
  else answer();
});
server.keepAliveTimeout = 65_000;
server.listen(port, '127.0.0.1');

process.on('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeIdleConnections();
});
