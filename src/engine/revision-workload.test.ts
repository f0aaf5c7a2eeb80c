import { describe, expect, it } from 'vitest';
import type { RevisionInfo } from '../core/rollout/index.js';
import { revisionWorkload } from './revision-workload.js';

const info = { hash: 'abc123', revision: 3, template: { metadata: { labels: { app: 'web' }, annotations: {} }, spec: { containers: [] } } } as unknown as RevisionInfo;

describe('revisionWorkload', () => {
  it('labels a Rollout revision by rollouts-pod-template-hash and keeps the namespace', () => {
    expect(revisionWorkload({ name: 'web', namespace: 'shop', labels: {}, annotations: {} }, 5, info, 'rollouts-pod-template-hash')).toEqual({
      owner: 'web',
      hash: 'abc123',
      revision: 3,
      template: info.template,
      namespace: 'shop',
      minReadySeconds: 5,
      extraLabels: { 'rollouts-pod-template-hash': 'abc123' },
    });
  });

  it('labels a Deployment revision by pod-template-hash and leaves an absent namespace out', () => {
    const w = revisionWorkload({ name: 'api', labels: {}, annotations: {} }, 0, info, 'pod-template-hash');
    expect(w.extraLabels).toEqual({ 'pod-template-hash': 'abc123' });
    expect(w.owner).toBe('api');
    expect('namespace' in w).toBe(false);
  });
});
