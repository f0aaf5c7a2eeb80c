import { describe, expect, it } from 'vitest';
import { revisionRoles, revisionWeight } from './revision-roles.js';

describe('revisionRoles', () => {
  const canary = { stableHash: 'a', currentHash: 'b' };
  it('names stable, canary and old under a canary strategy', () => {
    expect(revisionRoles('canary', canary, 'a')).toEqual(['stable']);
    expect(revisionRoles('canary', canary, 'b')).toEqual(['canary']);
    expect(revisionRoles('canary', canary, 'z')).toEqual(['old']);
    // Promoted: the current revision is the stable one, nothing else.
    expect(revisionRoles('canary', { stableHash: 'b', currentHash: 'b' }, 'b')).toEqual(['stable']);
  });

  it('names preview and active under blue/green, both on one revision after the switch', () => {
    expect(revisionRoles('blueGreen', { ...canary, activeHash: 'a' }, 'a')).toEqual(['stable', 'active']);
    expect(revisionRoles('blueGreen', { ...canary, activeHash: 'a' }, 'b')).toEqual(['preview']);
    expect(revisionRoles('blueGreen', { ...canary, activeHash: 'b' }, 'b')).toEqual(['preview', 'active']);
  });
});

describe('revisionWeight', () => {
  it('gives the canary its weight, the stable the rest, and any other revision nothing', () => {
    const st = { stableHash: 'a', currentHash: 'b', canaryWeight: 25 };
    expect([revisionWeight(st, 'a'), revisionWeight(st, 'b'), revisionWeight(st, 'z')]).toEqual([75, 25, 0]);
  });

  it('gives the stable everything when no canary is in flight, whatever weight is left over', () => {
    expect(revisionWeight({ stableHash: 'a', currentHash: 'a', canaryWeight: 100 }, 'a')).toBe(100);
  });
});
