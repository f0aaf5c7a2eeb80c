/**
 * Where the API server is and who we are to it: a kubeconfig file (`--kubeconfig`, else the first
 * file of `$KUBECONFIG`, else `~/.kube/config`) at a context (`--context`, else its
 * current-context), or the pod's service account when none exists (in-cluster, as client-go's
 * `rest.InClusterConfig` reads it). Supported credentials: client certificates and keys (file or
 * data), bearer tokens (inline or tokenFile), and exec plugins (`client.authentication.k8s.io`
 * ExecCredential, as `aws eks get-token` prints it), which are re-run when their token expires.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { BatonError } from '../../core/errors.js';

/** A kubeconfig that cannot be read or does not say enough to connect. */
export class KubeConfigError extends BatonError {}

/** Everything a client needs to reach and authenticate to one API server. */
export interface KubeConnection {
  /** `https://host:port`, without a trailing slash. */
  server: string;
  ca?: string;
  cert?: string;
  key?: string;
  insecureSkipTlsVerify: boolean;
  /** The current bearer token, if any; re-read (token file) or re-run (exec plugin) when stale. */
  token?: () => Promise<string | undefined>;
  /** The context's namespace, the service account's, or "default". */
  namespace: string;
  /** Where this came from, for messages: the file and context, or "in-cluster". */
  source: string;
}

export interface LoadKubeConfigOptions {
  kubeconfig?: string;
  context?: string;
  /** Defaults to process.env; tests pass their own. */
  env?: Record<string, string | undefined>;
  /** Service account directory (default /var/run/secrets/kubernetes.io/serviceaccount). */
  serviceAccountDir?: string;
}

const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
/** Projected service-account tokens rotate; client-go re-reads the file every minute. */
const TOKEN_FILE_REREAD_MS = 60_000;

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (o: Obj | undefined, k: string): string | undefined => (o && typeof o[k] === 'string' ? o[k] : undefined);

/** Finds the connection as kubectl would (see the file comment). */
export function loadKubeConnection(opts: LoadKubeConfigOptions = {}): KubeConnection {
  const env = opts.env ?? process.env;
  const file = opts.kubeconfig ?? firstKubeconfig(env);
  if (file) return fromKubeconfig(file, opts.context);
  if (opts.context) throw new KubeConfigError('kubeconfig-missing', `--context ${opts.context}: no kubeconfig found ($KUBECONFIG and ~/.kube/config do not exist)`, { context: opts.context });
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  if (host && port) return inCluster(host, port, opts.serviceAccountDir ?? SERVICE_ACCOUNT_DIR);
  throw new KubeConfigError('kubeconfig-missing', 'no kubeconfig found ($KUBECONFIG, ~/.kube/config) and not running in a cluster (KUBERNETES_SERVICE_HOST unset): pass --kubeconfig', {});
}

function firstKubeconfig(env: Record<string, string | undefined>): string | undefined {
  for (const f of (env.KUBECONFIG ?? '').split(':').filter(Boolean)) if (existsSync(f)) return f;
  const home = env.HOME ?? homedir();
  const def = join(home, '.kube', 'config');
  return existsSync(def) ? def : undefined;
}

function inCluster(host: string, port: string, dir: string): KubeConnection {
  const tokenFile = join(dir, 'token');
  if (!existsSync(tokenFile)) throw new KubeConfigError('kubeconfig-missing', `in-cluster: ${tokenFile} does not exist (is a service account mounted?)`, { tokenFile });
  const nsFile = join(dir, 'namespace');
  const server = `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    server,
    ca: readFileSync(join(dir, 'ca.crt'), 'utf8'),
    insecureSkipTlsVerify: false,
    token: fileToken(tokenFile),
    namespace: existsSync(nsFile) ? readFileSync(nsFile, 'utf8').trim() : 'default',
    source: 'in-cluster',
  };
}

function fileToken(path: string): () => Promise<string> {
  let cached: { token: string; at: number } | undefined;
  return () => {
    const now = Date.now();
    if (!cached || now - cached.at > TOKEN_FILE_REREAD_MS) cached = { token: readFileSync(path, 'utf8').trim(), at: now };
    return Promise.resolve(cached.token);
  };
}

function named(list: unknown, name: string, what: string, file: string): Obj {
  const items = Array.isArray(list) ? list.filter(isObj) : [];
  const found = items.find((i) => i.name === name);
  const inner = found?.[what];
  if (!isObj(inner)) {
    const known = items.map((i) => String(i.name)).join(', ');
    throw new KubeConfigError('kubeconfig-invalid', `${file}: no ${what} named "${name}"${known ? ` (it has ${known})` : ''}`, { file, name });
  }
  return inner;
}

/** Reads `file` at `context` (or its current-context). */
export function fromKubeconfig(file: string, context?: string): KubeConnection {
  let doc: unknown;
  try {
    doc = parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new KubeConfigError('kubeconfig-invalid', `${file}: ${e instanceof Error ? e.message : String(e)}`, { file });
  }
  if (!isObj(doc)) throw new KubeConfigError('kubeconfig-invalid', `${file}: not a kubeconfig (a map with clusters, users and contexts)`, { file });
  const ctxName = context ?? str(doc, 'current-context');
  if (!ctxName) throw new KubeConfigError('kubeconfig-invalid', `${file}: no current-context; pass --context`, { file });
  const ctx = named(doc.contexts, ctxName, 'context', file);
  const cluster = named(doc.clusters, str(ctx, 'cluster') ?? '', 'cluster', file);
  const userName = str(ctx, 'user');
  const user = userName ? named(doc.users, userName, 'user', file) : {};
  const base = dirname(resolve(file));
  const read = (o: Obj, fileKey: string, dataKey: string): string | undefined => {
    const data = str(o, dataKey);
    if (data) return Buffer.from(data, 'base64').toString('utf8');
    const path = str(o, fileKey);
    if (!path) return undefined;
    const full = isAbsolute(path) ? path : join(base, path);
    try {
      return readFileSync(full, 'utf8');
    } catch (e) {
      throw new KubeConfigError('kubeconfig-invalid', `${file}: ${fileKey} ${full}: ${e instanceof Error ? e.message : String(e)}`, { file, path: full });
    }
  };
  const server = str(cluster, 'server');
  if (!server) throw new KubeConfigError('kubeconfig-invalid', `${file}: cluster "${str(ctx, 'cluster') ?? ''}" has no server`, { file });
  const conn: KubeConnection = {
    server: server.replace(/\/+$/, ''),
    insecureSkipTlsVerify: cluster['insecure-skip-tls-verify'] === true,
    namespace: str(ctx, 'namespace') ?? 'default',
    source: `${file} (context ${ctxName})`,
  };
  const ca = read(cluster, 'certificate-authority', 'certificate-authority-data');
  if (ca) conn.ca = ca;
  const cert = read(user, 'client-certificate', 'client-certificate-data');
  const key = read(user, 'client-key', 'client-key-data');
  if (cert) conn.cert = cert;
  if (key) conn.key = key;
  const token = str(user, 'token');
  const tokenFile = str(user, 'tokenFile');
  if (token) conn.token = () => Promise.resolve(token);
  else if (tokenFile) conn.token = fileToken(isAbsolute(tokenFile) ? tokenFile : join(base, tokenFile));
  else if (isObj(user.exec)) conn.token = execToken(user.exec, file);
  return conn;
}

const run = promisify(execFile);

/**
 * An exec credential plugin (client-go's `plugin/pkg/client/auth/exec`): runs `command args` with
 * `env`, reads the ExecCredential it prints, and keeps its token until `expirationTimestamp`.
 */
function execToken(exec: Obj, file: string): () => Promise<string | undefined> {
  const command = str(exec, 'command');
  if (!command) throw new KubeConfigError('kubeconfig-invalid', `${file}: user exec has no command`, { file });
  const args = Array.isArray(exec.args) ? exec.args.map(String) : [];
  const extraEnv = Array.isArray(exec.env) ? exec.env.filter(isObj).map((e) => [String(e.name), String(e.value)] as const) : [];
  const apiVersion = str(exec, 'apiVersion') ?? 'client.authentication.k8s.io/v1beta1';
  let cached: { token: string; expires: number } | undefined;
  return async () => {
    if (cached && Date.now() < cached.expires) return cached.token;
    const execInfo = JSON.stringify({ apiVersion, kind: 'ExecCredential', spec: { interactive: false } });
    const { stdout } = await run(command, args, { env: { ...process.env, ...Object.fromEntries(extraEnv), KUBERNETES_EXEC_INFO: execInfo }, maxBuffer: 1 << 20 }).catch((e: unknown) => {
      throw new KubeConfigError('kubeconfig-exec-failed', `${file}: exec plugin ${command} failed: ${e instanceof Error ? e.message : String(e)}`, { file, command });
    });
    let status: Obj | undefined;
    try {
      const out: unknown = JSON.parse(stdout);
      status = isObj(out) && isObj(out.status) ? out.status : undefined;
    } catch {
      status = undefined;
    }
    const token = str(status, 'token');
    if (!token) throw new KubeConfigError('kubeconfig-exec-failed', `${file}: exec plugin ${command} printed no ExecCredential with status.token`, { file, command });
    const exp = Date.parse(str(status, 'expirationTimestamp') ?? '');
    // Without an expiry client-go keeps the token until a 401; a minute is a safe stand-in.
    cached = { token, expires: Number.isFinite(exp) ? exp - 10_000 : Date.now() + 60_000 };
    return token;
  };
}
