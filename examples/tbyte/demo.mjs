#!/usr/bin/env node
// The tbyte demo on the embedded default: the seed's frontend rollout, a good release and a bad
// one, run by the real engine on a virtual clock (`baton simulate`). Exits 0 when both end as
// they should: the good one Healthy, the bad one rolled back by analysis.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const baton = join(here, '..', '..', 'bin', 'baton.js');
const manifests = join(here, 'manifests');

function release(title, scenario, expectedExit) {
  console.log(`\n=== ${title} ===\n`);
  const r = spawnSync(process.execPath, [baton, 'simulate', '-f', manifests, '--scenario', join(here, 'scenarios', scenario)], { stdio: 'inherit' });
  if (r.status !== expectedExit) {
    console.error(`\n${title}: expected exit ${expectedExit}, got ${r.status}`);
    process.exit(1);
  }
}

release('v2, a good release: 10 -> 25 -> 50 -> 75 -> 100 %', 'good-release.yaml', 0);
release('v2, a bad release: the error rate rises and Baton rolls back', 'bad-release.yaml', 1);
console.log('\nBoth releases ended as they should: the good one promoted, the bad one aborted by analysis.');
