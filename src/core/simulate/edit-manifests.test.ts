import { describe, expect, it } from 'vitest';
import { parseManifests } from '../spec/load.js';
import { applyEdit } from './edit-manifests.js';

const files = [
  {
    path: 'm.yaml',
    text: `apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata: {name: rate}
spec:
  args: [{name: limit, value: "0.1"}]
  metrics: [{name: m, provider: {prometheus: {address: "http://p", query: up}}}]
---
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: shop}
spec:
  replicas: 2
  selector: {matchLabels: {app: shop}}
  template:
    metadata: {labels: {app: shop}}
    spec: {containers: [{name: app, image: "shop:v1"}]}
  strategy: {canary: {steps: [{setWeight: 50}]}}
`,
  },
];

describe('applyEdit', () => {
  it('sets fields of the Rollout by default, and of another manifest by kind and name; the rest stays', () => {
    const r1 = applyEdit(files, { kind: 'Rollout', set: [{ path: 'spec.replicas', value: 6 }] }, 'shop');
    const r2 = 'files' in r1 ? applyEdit(r1.files, { kind: 'AnalysisTemplate', name: 'rate', set: [{ path: 'spec.args[0].value', value: '0.5' }] }, 'shop') : r1;
    if (!('files' in r2)) throw new Error(r2.error);
    const { set, diagnostics } = parseManifests(r2.files);
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(set.rollouts[0]?.spec.replicas).toBe(6);
    expect(set.analysisTemplates[0]?.spec.args[0]?.value).toBe('0.5');
    expect(set.rollouts[0]?.spec.template?.spec.containers[0]?.image).toBe('shop:v1');
  });

  it('says why an edit cannot be made', () => {
    expect(applyEdit(files, { kind: 'AnalysisTemplate', name: 'nope', set: [{ path: 'spec.x', value: 1 }] }, 'shop')).toEqual({ error: 'no AnalysisTemplate "nope" in the files to edit' });
    const refused = applyEdit(files, { kind: 'Rollout', set: [{ path: 'spec.template.spec.containers[0].image', value: 'x' }] }, 'shop');
    expect('error' in refused && refused.error).toMatch(/do: update/);
  });
});
