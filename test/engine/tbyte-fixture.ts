/** The tbyte example's manifests, its frontend Rollout (v1) and the same Rollout updated to v2. */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { applyUpdate } from '../../src/core/simulate/scenario.js';
import { parseManifests } from '../../src/core/spec/load.js';
import type { Rollout } from '../../src/core/spec/types.js';

const dir = 'examples/tbyte/manifests';
export const { set: manifests } = parseManifests(readdirSync(dir).map((f) => ({ path: join(dir, f), text: readFileSync(join(dir, f), 'utf8') })));
export const stable = manifests.rollouts[0] as Rollout;
const v2 = applyUpdate(stable.spec.template as NonNullable<Rollout['spec']['template']>, { image: 'tbyte/frontend:v2' });
if ('error' in v2) throw new Error(v2.error);
export const updated: Rollout = { ...stable, spec: { ...stable.spec, template: v2.template } };
