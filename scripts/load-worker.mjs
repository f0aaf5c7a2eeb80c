#!/usr/bin/env node
// Steady HTTP load from its own process (autocannon), for the demo, the zero-downtime tests and bench:
//   node scripts/load-worker.mjs '{"url":"http://127.0.0.1:8080/","host":"tbyte.local","rate":600,"connections":20}'
// Prints `ready` once started; on SIGTERM stops and prints one JSON line: totals, every failed
// request with its wall time (non-2xx status or socket error), and latency percentiles.
import autocannon from 'autocannon';

const opts = JSON.parse(process.argv[2] ?? '{}');
// Every failure is counted; the first 1,000 are kept with their time (bounded memory) and reported.
const failures = [];
let failed = 0;
const fail = (f) => {
  failed++;
  if (failures.length < 1_000) failures.push(f);
};
let ok = 0;
let started = 0;
const instance = autocannon(
  {
    url: opts.url,
    connections: opts.connections ?? 20,
    overallRate: opts.rate ?? 500,
    duration: opts.durationS ?? 3600,
    timeout: opts.timeoutS ?? 10,
    headers: { host: opts.host ?? 'localhost' },
    // Every response is checked, not only counted: a 5xx is a failed user request.
    expectBody: undefined,
  },
  (err, result) => {
    if (err) {
      process.stdout.write(JSON.stringify({ error: String(err) }) + '\n');
      process.exit(1);
    }
    process.stdout.write(
      JSON.stringify({
        startedAt: started,
        stoppedAt: Date.now(),
        total: ok + failed,
        ok,
        failed,
        failures,
        non2xx: result.non2xx,
        errors: result.errors,
        timeouts: result.timeouts,
        latency: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max },
        requestsPerSecond: result.requests.average,
      }) + '\n',
    );
    process.exit(0);
  },
);
instance.on('response', (_client, statusCode) => {
  if (statusCode >= 200 && statusCode < 400) ok++;
  else fail({ t: Date.now(), status: statusCode });
});
instance.on('reqError', (e) => fail({ t: Date.now(), error: String(e?.code ?? e) }));
process.stdout.on('error', () => process.exit(1));
// The parent went away (a test that failed before stopping it): stop rather than run on.
setInterval(() => {
  if (process.ppid === 1) instance.stop();
}, 1000).unref();
started = Date.now();
process.stdout.write('ready\n');
process.on('SIGTERM', () => instance.stop());
