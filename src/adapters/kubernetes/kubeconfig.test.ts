import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fromKubeconfig, KubeConfigError, loadKubeConnection } from './kubeconfig.js';

const dir = mkdtempSync(join(tmpdir(), 'baton-kubeconfig-'));
const file = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

const config = (users: string, current = 'a'): string => `apiVersion: v1
kind: Config
current-context: ${current}
clusters:
- name: c
  cluster: {server: "https://127.0.0.1:6443/", certificate-authority: ca.crt}
- name: d
  cluster: {server: "https://10.0.0.1", insecure-skip-tls-verify: true}
contexts:
- name: a
  context: {cluster: c, user: u, namespace: tbyte}
- name: b
  context: {cluster: d, user: t}
users:
${users}`;

file('ca.crt', 'CA PEM');
file('u.crt', 'CERT PEM');

describe('kubeconfig', () => {
  it('reads the current context: server, CA and client certificate files relative to the kubeconfig, namespace', () => {
    const c = fromKubeconfig(file('k1', config(`- name: u\n  user: {client-certificate: u.crt, client-key-data: ${Buffer.from('KEY PEM').toString('base64')}}\n- name: t\n  user: {token: abc}`)));
    expect(c).toMatchObject({ server: 'https://127.0.0.1:6443', ca: 'CA PEM', cert: 'CERT PEM', key: 'KEY PEM', namespace: 'tbyte', insecureSkipTlsVerify: false });
    expect(c.token).toBeUndefined();
  });

  it('another context by name, with a bearer token and no TLS verification; default namespace', async () => {
    const c = fromKubeconfig(file('k2', config(`- name: u\n  user: {}\n- name: t\n  user: {token: abc}`)), 'b');
    expect(c).toMatchObject({ server: 'https://10.0.0.1', insecureSkipTlsVerify: true, namespace: 'default' });
    expect(await c.token?.()).toBe('abc');
  });

  it('an exec plugin: its ExecCredential token, kept until it expires', async () => {
    const script = file('plugin.sh', `#!/bin/sh\necho x >> ${join(dir, 'calls')}\necho '{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"token":"from-exec","expirationTimestamp":"2999-01-01T00:00:00Z"}}'\n`);
    chmodSync(script, 0o755);
    const c = fromKubeconfig(file('k3', config(`- name: u\n  user: {exec: {apiVersion: client.authentication.k8s.io/v1beta1, command: ${script}}}`)));
    expect(await c.token?.()).toBe('from-exec');
    expect(await c.token?.()).toBe('from-exec');
    const { readFileSync } = await import('node:fs');
    expect(readFileSync(join(dir, 'calls'), 'utf8')).toBe('x\n');
  });

  it('errors name the file and what is missing', () => {
    const k = file('k4', config('- name: u\n  user: {}'));
    expect(() => fromKubeconfig(k, 'nope')).toThrow(/k4: no context named "nope" \(it has a, b\)/);
    expect(() => fromKubeconfig(file('k5', 'just text'))).toThrow(KubeConfigError);
  });

  it('in a pod: the service account token, CA and namespace', async () => {
    const sa = join(dir, 'sa');
    mkdirSync(sa);
    writeFileSync(join(sa, 'token'), 'sa-token\n');
    writeFileSync(join(sa, 'ca.crt'), 'SA CA');
    writeFileSync(join(sa, 'namespace'), 'baton-system');
    const c = loadKubeConnection({ env: { HOME: join(dir, 'nohome'), KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' }, serviceAccountDir: sa });
    expect(c).toMatchObject({ server: 'https://10.96.0.1:443', ca: 'SA CA', namespace: 'baton-system', source: 'in-cluster' });
    expect(await c.token?.()).toBe('sa-token');
    expect(() => loadKubeConnection({ env: { HOME: join(dir, 'nohome') } })).toThrow(/no kubeconfig found/);
  });
});
