/**
 * How users name a workload, as `kubectl` does: the kind words for the two kinds Baton runs, and
 * `KIND/NAME` (`rollout/web`, `deploy/api`). Shared by the CLI and the control API.
 */
import type { WorkloadKind } from './types.js';

/** The kind words `kubectl` accepts for the two kinds Baton runs (matched case-insensitively). */
export const KIND_WORDS: Readonly<Record<string, WorkloadKind>> = {
  rollout: 'Rollout',
  rollouts: 'Rollout',
  ro: 'Rollout',
  deployment: 'Deployment',
  deployments: 'Deployment',
  deploy: 'Deployment',
};

/** The kind a word names, undefined for any other word. */
export function kindOfWord(word: string): WorkloadKind | undefined {
  return Object.hasOwn(KIND_WORDS, word.toLowerCase()) ? KIND_WORDS[word.toLowerCase()] : undefined;
}

/** `KIND/NAME` split into its kind and name; a bare name (or an unknown word before `/`) has no kind. */
export function splitKindName(arg: string): { kind?: WorkloadKind; name: string } {
  const slash = arg.indexOf('/');
  const kind = slash > 0 ? kindOfWord(arg.slice(0, slash)) : undefined;
  return kind && slash < arg.length - 1 ? { kind, name: arg.slice(slash + 1) } : { name: arg };
}
