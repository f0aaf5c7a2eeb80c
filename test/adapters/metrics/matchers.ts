/** Typed asymmetric matchers (vitest's return `any`, which the type-aware lint refuses). */
import { expect } from 'vitest';

export const containing = (text: string): string => expect.stringContaining(text) as string;
export const matching = (re: RegExp): string => expect.stringMatching(re) as string;
