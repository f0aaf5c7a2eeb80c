/**
 * `baton set image NAME CONTAINER=IMAGE [CONTAINER=IMAGE...]`: change container images, which
 * starts a new revision, as `kubectl argo rollouts set image` does. `*=IMAGE` sets every
 * container, as in kubectl.
 */
import type { Command } from 'commander';
import { addConnectionOptions, addOutputOption, type ConnectionOptions } from '../client.js';
import type { OutputFormat } from '../format/text.js';
import { runAction } from './actions.js';

interface SetImageOptions extends ConnectionOptions {
  output?: OutputFormat;
}

/** `frontend=shop:v2` pairs as a map, or the first bad one. */
export function parseImagePairs(pairs: readonly string[]): { images: Record<string, string> } | { bad: string } {
  const images: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0 || eq === pair.length - 1) return { bad: pair };
    images[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return { images };
}

/** Adds `baton set image` to the program. */
export function registerSetCommand(program: Command): void {
  const set = program.command('set').description('Change a Rollout or Deployment (set image)');
  const image = set
    .command('image')
    .description('Set container images (a new revision rolls out)')
    .argument('<name>', 'the Rollout or Deployment')
    .argument('<container=image...>', 'container name and image, e.g. frontend=shop:v2 (`*` for every container)');
  addOutputOption(addConnectionOptions(image)).action(async (name: string, pairs: string[], opts: SetImageOptions) => {
    const parsed = parseImagePairs(pairs);
    if ('bad' in parsed) image.error(`error: "${parsed.bad}" is not CONTAINER=IMAGE (e.g. frontend=shop:v2)`, { exitCode: 64, code: 'baton.badImagePair' });
    else await runAction(name, { action: 'set-image', images: parsed.images }, opts, () => 'image updated');
  });
}
