import { describe, expect, it } from 'vitest';
import { applyTrafficEffect, emptyRouting } from './apply-effect.js';

describe('applyTrafficEffect', () => {
  it('sets weights and hashes without changing its input', () => {
    const before = emptyRouting('shop');
    const after = applyTrafficEffect(before, { type: 'setWeight', canary: 30, stable: 70, canaryHash: 'b', stableHash: 'a' });
    expect(after).toMatchObject({ canaryWeight: 30, canaryHash: 'b', stableHash: 'a' });
    expect(before.canaryWeight).toBe(0);
  });

  it('replaces a managed route of the same name and removes named ones', () => {
    let r = emptyRouting('shop');
    r = applyTrafficEffect(r, { type: 'setHeaderRoute', name: 'h', match: [{ headerName: 'x', headerValue: { exact: '1' } }] });
    r = applyTrafficEffect(r, { type: 'setHeaderRoute', name: 'h', match: [{ headerName: 'x', headerValue: { exact: '2' } }] });
    r = applyTrafficEffect(r, { type: 'setMirrorRoute', name: 'm', match: [], percentage: 5 });
    expect(r.headerRoutes).toEqual([{ name: 'h', match: [{ headerName: 'x', headerValue: { exact: '2' } }] }]);
    r = applyTrafficEffect(r, { type: 'removeManagedRoutes', names: ['h', 'm'] });
    expect(r.headerRoutes).toEqual([]);
    expect(r.mirrorRoutes).toEqual([]);
  });

  it('points a Service at a revision, or at none', () => {
    let r = applyTrafficEffect(emptyRouting('shop'), { type: 'setServiceSelector', role: 'canary', service: 'shop-canary', hash: 'b' });
    expect(r.serviceSelectors).toEqual({ 'shop-canary': 'b' });
    r = applyTrafficEffect(r, { type: 'setServiceSelector', role: 'canary', service: 'shop-canary', hash: undefined });
    expect(r.serviceSelectors).toEqual({ 'shop-canary': undefined });
  });
});
