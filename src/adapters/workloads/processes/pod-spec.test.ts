import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../../core/errors.js';
import type { Container, PodTemplateSpec } from '../../../core/spec/types.js';
import { expandVars, localPort, podProcessSpec } from './pod-spec.js';

const container = (c: Partial<Container> = {}): Container => ({ name: 'app', image: 'shop:v2', command: ['node'], args: ['server.js'], env: [], ports: [], ...c });
const tpl = (c: Partial<Container> = {}): PodTemplateSpec => ({
  metadata: { labels: { app: 'shop', tier: 'web' }, annotations: {} },
  spec: { containers: [container(c)], terminationGracePeriodSeconds: 30, raw: {} },
});
const id = { owner: 'shop', name: 'shop-h-bcdfg', namespace: 'prod', port: 41000, labels: { app: 'shop', tier: 'web' } };

describe('expandVars', () => {
  it('expands $(VAR), keeps unknown references and $$ escapes, as the kubelet does', () => {
    const env = { A: 'x', B: 'y' };
    expect(expandVars('$(A)-$(B)', env)).toBe('x-y');
    expect(expandVars('$$(A)', env)).toBe('$(A)');
    expect(expandVars('$(C)', env)).toBe('$(C)');
    expect(expandVars('$A ${A} $(A', env)).toBe('$A ${A} $(A');
    expect(expandVars('cost: 5$', env)).toBe('cost: 5$');
  });
});

describe('podProcessSpec', () => {
  it('builds argv, cwd and env with Baton variables winning over the manifest', () => {
    const spec = podProcessSpec(
      tpl({
        args: ['--port=$(PORT)', '--name=$(POD_NAME)'],
        workingDir: 'svc',
        env: [
          { name: 'PORT', value: '8080' },
          { name: 'GREETING', value: 'hello $(POD_NAME)' },
          { name: 'MY_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
          { name: 'NS', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
          { name: 'TIER', valueFrom: { fieldRef: { fieldPath: "metadata.labels['tier']" } } },
          { name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
        ],
      }),
      id,
      '/srv/manifests',
    );
    expect(spec.argv).toEqual(['node', '--port=41000', '--name=shop-h-bcdfg']);
    expect(spec.cwd).toBe('/srv/manifests/svc');
    expect(spec.env).toMatchObject({ PORT: '41000', BATON_IMAGE: 'shop:v2', POD_NAME: 'shop-h-bcdfg', POD_NAMESPACE: 'prod', MY_NAME: 'shop-h-bcdfg', NS: 'prod', TIER: 'web', IP: '127.0.0.1' });
    // Env values see only the variables defined before them, as in Kubernetes.
    expect(spec.env.GREETING).toBe('hello $(POD_NAME)');
  });

  it('keeps an absolute workingDir and defaults to the manifest directory', () => {
    expect(podProcessSpec(tpl({ workingDir: '/opt/app' }), id, '/srv').cwd).toBe('/opt/app');
    expect(podProcessSpec(tpl(), id, '/srv').cwd).toBe('/srv');
  });

  it('rejects a missing command and valueFrom it cannot answer, naming the input', () => {
    const noCmd = (() => {
      try {
        podProcessSpec(tpl({ command: [], args: [] }), id, '/');
      } catch (e) {
        return e;
      }
    })();
    expect(noCmd).toBeInstanceOf(InvalidInputError);
    expect((noCmd as InvalidInputError).code).toBe('no-command');
    const secret = (() => {
      try {
        podProcessSpec(tpl({ env: [{ name: 'PW', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }] }), id, '/');
      } catch (e) {
        return e;
      }
    })();
    expect((secret as InvalidInputError).code).toBe('unsupported-env');
    expect((secret as Error).message).toContain('PW');
    expect(() => podProcessSpec(tpl({ env: [{ name: 'X', valueFrom: { fieldRef: { fieldPath: 'spec.serviceAccountName' } } }] }), id, '/')).toThrow(/X.*spec\.serviceAccountName/);
  });
});

describe('localPort', () => {
  const c = container({ ports: [{ name: 'http', containerPort: 8080 }] });
  it('maps a declared containerPort, its name or an unset port to the picked port', () => {
    expect(localPort(8080, c, 41000)).toBe(41000);
    expect(localPort('8080', c, 41000)).toBe(41000);
    expect(localPort('http', c, 41000)).toBe(41000);
    expect(localPort(undefined, c, 41000)).toBe(41000);
  });
  it('keeps other ports, and maps every port of a container that declares none', () => {
    expect(localPort(9090, c, 41000)).toBe(9090);
    expect(localPort(9090, container(), 41000)).toBe(41000);
  });
});
