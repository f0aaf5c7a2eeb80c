/**
 * Starts the reverse proxies Baton's gateway is compared with, Debian's `nginx` and `haproxy`,
 * on a free 127.0.0.1 port with a generated config that forwards everything to one upstream
 * over kept-alive HTTP/1.1 connections, each in a temp dir of its own. `.ci/run` installs the
 * packages (and the test setup does, as root).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { freePort, stopChild, tempDir, waitFor } from './net.js';

/** The peers, by the name of their Debian package. */
export type PeerKind = 'nginx' | 'haproxy';

export const PEER_BINS: Readonly<Record<PeerKind, string>> = {
  nginx: process.env.NGINX_BIN ?? '/usr/sbin/nginx',
  haproxy: process.env.HAPROXY_BIN ?? '/usr/sbin/haproxy',
};

/** The peers whose binary is not installed. */
export function missingPeers(): PeerKind[] {
  return (Object.keys(PEER_BINS) as PeerKind[]).filter((k) => !existsSync(PEER_BINS[k]));
}

export interface RunningPeer {
  readonly kind: PeerKind;
  /** Name and version, as `nginx/1.22.1` or `HAProxy/2.6.12`. */
  readonly version: string;
  readonly port: number;
  stop(): Promise<void>;
}

/**
 * nginx as the reverse proxy its documentation describes for keep-alive upstreams
 * (ngx_http_upstream_module `keepalive`: `proxy_http_version 1.1` and an empty `Connection`),
 * one process (`master_process off`), everything else at its defaults.
 */
function nginxConfig(dir: string, port: number, upstream: string): string {
  return `daemon off;
master_process off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path ${dir}/tmp/body;
  proxy_temp_path ${dir}/tmp/proxy;
  fastcgi_temp_path ${dir}/tmp/fastcgi;
  uwsgi_temp_path ${dir}/tmp/uwsgi;
  scgi_temp_path ${dir}/tmp/scgi;
  upstream recorder {
    server ${upstream};
    keepalive 8;
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://recorder;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
`;
}

/** HAProxy in `mode http` (keep-alive on both sides and connection reuse are its defaults), one thread. */
function haproxyConfig(port: number, upstream: string): string {
  return `global
  nbthread 1
  maxconn 256
defaults
  mode http
  timeout connect 5s
  timeout client 30s
  timeout server 30s
frontend front
  bind 127.0.0.1:${port}
  default_backend recorder
backend recorder
  server recorder ${upstream}
`;
}

/** Whether something accepts connections on 127.0.0.1:`port`. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** The first line `bin -v` prints (nginx writes it on stderr). */
function versionOf(bin: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, ['-v'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    child.once('error', reject);
    // `nginx version: nginx/1.22.1`, `HAProxy version 2.6.12-1+deb12u4 2026/10/17 - https://haproxy.org/`
    child.once('close', () => {
      const m = /^(?:nginx version: )?(\S+?)(?:\/| version )(\d[\w.]*)/.exec(out);
      resolve(m === null ? out.split('\n')[0] ?? '' : `${m[1]}/${m[2]}`);
    });
  });
}

/** Starts `kind` on a free port forwarding to `upstream` (`HOST:PORT`); ready once it accepts connections. */
export async function startPeer(kind: PeerKind, upstream: string): Promise<RunningPeer> {
  const bin = PEER_BINS[kind];
  if (!existsSync(bin)) throw new Error(`${bin} not found: install Debian's ${kind} package (see .ci/run)`);
  const dir = await tempDir(`baton-${kind}-`);
  const port = await freePort();
  let args: string[];
  if (kind === 'nginx') {
    await mkdir(join(dir.path, 'tmp'));
    await writeFile(join(dir.path, 'nginx.conf'), nginxConfig(dir.path, port, upstream));
    // -e: the error log before the config is read goes there too, not to /var/log/nginx.
    args = ['-p', dir.path, '-c', join(dir.path, 'nginx.conf'), '-e', join(dir.path, 'error.log')];
  } else {
    await writeFile(join(dir.path, 'haproxy.cfg'), haproxyConfig(port, upstream));
    args = ['-db', '-f', join(dir.path, 'haproxy.cfg')];
  }
  const version = await versionOf(bin);
  const child: ChildProcess = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (b: Buffer) => {
    stderr = (stderr + b.toString()).slice(-10_000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await waitFor(async () => {
      if (child.exitCode !== null) throw new Error(`${kind} exited: ${stderr}`);
      return accepts(port);
    }, 20_000, `${kind} to listen on 127.0.0.1:${port}`);
  } catch (e) {
    child.kill('SIGKILL');
    await dir.remove();
    throw e;
  }
  return {
    kind,
    version,
    port,
    async stop() {
      await stopChild(child, exited);
      await dir.remove();
    },
  };
}
