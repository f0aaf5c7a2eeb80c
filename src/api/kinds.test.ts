import { expect, it } from 'vitest';
import { kindOfWord, splitKindName } from './kinds.js';

it('reads the kind words kubectl accepts, in any case, and KIND/NAME', () => {
  expect(['ro', 'Rollouts', 'deploy', 'DEPLOYMENT', 'pods'].map(kindOfWord)).toEqual(['Rollout', 'Rollout', 'Deployment', 'Deployment', undefined]);
  expect(splitKindName('rollout/web')).toEqual({ kind: 'Rollout', name: 'web' });
  expect(splitKindName('deploy/api')).toEqual({ kind: 'Deployment', name: 'api' });
  // A bare name, an unknown word, an empty name and a leading slash keep the argument as the name.
  expect([splitKindName('web'), splitKindName('pods/web'), splitKindName('ro/'), splitKindName('/web'), splitKindName('constructor/x')]).toEqual([
    { name: 'web' }, { name: 'pods/web' }, { name: 'ro/' }, { name: '/web' }, { name: 'constructor/x' },
  ]);
});
