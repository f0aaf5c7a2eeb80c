import { describe, expect, it } from 'vitest';
import { parseManifests } from './load.js';

const rollout = `apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: shop}
spec:
  selector: {matchLabels: {app: shop}}
  template:
    metadata: {labels: {app: shop}}
    spec: {containers: [{name: shop, image: "shop:v1"}]}
  strategy: {canary: {steps: [{setWeight: 50}]}}
`;
const migration = (ref: string): string => `apiVersion: baton.dev/v1alpha1
kind: SchemaMigration
metadata: {name: shop-db}
spec:
  databaseUrl: {env: SHOP_DATABASE_URL}
  rolloutRef: {name: ${ref}}
  migrationsDir: ./migrations
`;

describe('baton.dev kinds', () => {
  it('a SchemaMigration bound to a Rollout in the files is valid', () => {
    const { diagnostics } = parseManifests([{ path: 'app.yaml', text: `${rollout}---\n${migration('shop')}` }]);
    expect(diagnostics).toEqual([]);
  });

  it('a SchemaMigration naming a missing Rollout is an error at its document', () => {
    const { diagnostics } = parseManifests([{ path: 'app.yaml', text: `${rollout}---\n${migration('cart')}` }]);
    expect(diagnostics).toMatchObject([{ severity: 'error', code: 'rollout-not-found', file: 'app.yaml', line: 11, path: 'spec.rolloutRef' }]);
  });

  it('an invalid SchemaMigration reports its fields', () => {
    const { diagnostics } = parseManifests([{ path: 'm.yaml', text: 'apiVersion: baton.dev/v1alpha1\nkind: SchemaMigration\nmetadata: {name: x}\nspec: {rolloutRef: {name: shop}}\n' }]);
    expect(diagnostics.map((d) => [d.severity, d.path])).toContainEqual(['error', 'spec.databaseUrl']);
  });

  it('an unknown baton.dev kind is a warning naming it', () => {
    const { diagnostics } = parseManifests([{ path: 'x.yaml', text: 'apiVersion: baton.dev/v1alpha1\nkind: Canary\nmetadata: {name: x}\nspec: {}\n' }]);
    expect(diagnostics).toMatchObject([{ severity: 'warning', code: 'unknown-kind', line: 1 }]);
    expect(diagnostics[0]?.message).toContain('Canary');
  });
});
