/**
 * Runs once before the test suite: makes sure the real servers the integration tests talk to
 * are installed (Debian's prometheus, postgresql, openssl, nginx and haproxy). As root it
 * installs what is missing with apt-get, so `npm test` works on a fresh machine; otherwise it
 * names the packages.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';

function missingPackages(): string[] {
  const missing: string[] = [];
  if (!existsSync('/usr/bin/prometheus') || !existsSync('/usr/bin/promtool')) missing.push('prometheus');
  const pg = existsSync('/usr/lib/postgresql') ? readdirSync('/usr/lib/postgresql').some((v) => existsSync(`/usr/lib/postgresql/${v}/bin/initdb`)) : false;
  if (!pg) missing.push('postgresql');
  if (!existsSync('/usr/bin/openssl')) missing.push('openssl');
  // The reverse proxies the gateway's request framing is compared with (test/gateway/peers).
  if (!existsSync('/usr/sbin/nginx')) missing.push('nginx');
  if (!existsSync('/usr/sbin/haproxy')) missing.push('haproxy');
  return missing;
}

export default function setup(): void {
  const missing = missingPackages();
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    const message = `baton tests: install ${missing.join(', ')} (Debian packages) for the integration tests: sudo apt-get install ${missing.join(' ')}`;
    // In CI a missing server must fail the run, not make its tests vanish as skipped.
    if (process.env.CI) throw new Error(message);
    process.stderr.write(`${message}\n`);
    return;
  }
  process.stderr.write(`baton tests: installing ${missing.join(', ')} with apt-get\n`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { stdio: 'inherit', env });
  const still = missingPackages();
  if (still.length) throw new Error(`baton tests: ${still.join(', ')} still missing after apt-get install`);
}
