import { describe, expect, it } from 'vitest';
import { parseManifests } from './load.js';
import { decodeBase64 } from './secret.js';

const template = (secret: string, key: string) => `apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata: {name: check}
spec:
  args:
  - name: token
    valueFrom:
      secretKeyRef: {name: ${secret}, key: ${key}}
  metrics:
  - name: up
    provider:
      web: {url: "http://127.0.0.1:1/health", headers: [{key: Authorization, value: "Bearer {{args.token}}"}]}
`;

const secret = `apiVersion: v1
kind: Secret
metadata: {name: api}
data:
  token: c2VjcmV0LXbDqQ==
  shared: ZnJvbS1kYXRh
stringData:
  shared: from-stringData
`;

const parse = (...texts: string[]) => parseManifests(texts.map((text, i) => ({ path: `f${i}.yaml`, text })));

describe('v1 Secret', () => {
  it('decodes data (base64, UTF-8) and lets stringData win on a shared key', () => {
    const { set, diagnostics } = parse(secret);
    expect(diagnostics).toEqual([]);
    expect(set.secrets?.[0]?.data).toEqual({ token: 'secret-vé', shared: 'from-stringData' });
  });

  it('reports data that is not base64, naming the key and not the value', () => {
    const { diagnostics } = parse('apiVersion: v1\nkind: Secret\nmetadata: {name: bad}\ndata:\n  token: "not base64!"\n');
    expect(diagnostics).toMatchObject([{ severity: 'error', code: 'invalid-value', file: 'f0.yaml', line: 5, path: 'data.token' }]);
    expect(diagnostics[0]?.message).not.toContain('not base64!');
  });

  it('decodeBase64 refuses what Kubernetes refuses', () => {
    expect(decodeBase64('YQ==')).toBe('a');
    expect(decodeBase64('YQ')).toBeUndefined();
    expect(decodeBase64('Y*==')).toBeUndefined();
  });
});

describe('lint: valueFrom.secretKeyRef', () => {
  it('a Secret and key given with the manifests is clean', () => {
    expect(parse(template('api', 'token'), secret).diagnostics).toEqual([]);
  });

  it('a key the Secret does not have is an error at the key, listing the keys it has', () => {
    const { diagnostics } = parse(template('api', 'tokn'), secret);
    expect(diagnostics).toMatchObject([
      { severity: 'error', code: 'secret-key-not-found', file: 'f0.yaml', line: 8, path: 'spec.args[0].valueFrom.secretKeyRef.key', message: 'Secret "api" has no key "tokn" (arg "token")', hint: 'its keys: token, shared' },
    ]);
  });

  it('a Secret not in the files is a warning at the name (a cluster may hold it)', () => {
    const { diagnostics } = parse(template('nope', 'token'), secret);
    expect(diagnostics).toMatchObject([{ severity: 'warning', code: 'secret-not-found', file: 'f0.yaml', line: 8, path: 'spec.args[0].valueFrom.secretKeyRef.name' }]);
  });
});
