/**
 * Pod names as a ReplicaSet gives them: `<owner>-<pod-template-hash>-<5 random characters>`,
 * the characters from the alphabet of `apimachinery/pkg/util/rand` (no vowels, no 0/1/3, so a
 * name never spells a word or confuses l and 1).
 */
import { randomInt } from 'node:crypto';

export const POD_SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** A fresh pod name; `taken` names are avoided. */
export function newPodName(owner: string, hash: string, taken: (name: string) => boolean): string {
  for (;;) {
    let suffix = '';
    for (let i = 0; i < 5; i++) suffix += POD_SUFFIX_ALPHABET[randomInt(POD_SUFFIX_ALPHABET.length)];
    const name = `${owner}-${hash}-${suffix}`;
    if (!taken(name)) return name;
  }
}

/** Matches the log file names of `owner`'s pods (and of one revision when `hash` is given). */
export function podFilePattern(owner: string, hash?: string, ext = '.log'): RegExp {
  const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const h = hash === undefined ? '[^-]+' : esc(hash);
  return new RegExp(`^${esc(owner)}-${h}-[${POD_SUFFIX_ALPHABET}]{5}${esc(ext)}$`);
}
