import { describe, expect, it } from 'vitest';
import { compileHosts, compileMatch, findRoute, normalizeHost, rewritePath, testHost, type MatchableRoute, type RequestFacts } from './match.js';

const facts = (over: Partial<RequestFacts> = {}): RequestFacts => ({ host: 'tbyte.local', path: '/', method: 'GET', headers: {}, ...over });

function route(hosts: string[] | undefined, matches: Parameters<typeof compileMatch>[0][]): MatchableRoute {
  return { hosts: compileHosts(hosts), matches: matches.map(compileMatch) };
}

describe('hosts', () => {
  it('matches exact names, *.suffix and *', () => {
    const m = compileHosts(['tbyte.local', '*.example.com']);
    expect(testHost(m, 'tbyte.local')).toBe(true);
    expect(testHost(m, 'a.example.com')).toBe(true);
    expect(testHost(m, 'a.b.example.com')).toBe(true);
    expect(testHost(m, 'example.com')).toBe(false);
    expect(testHost(m, 'other.local')).toBe(false);
    expect(testHost(compileHosts(['*']), 'anything')).toBe(true);
    expect(testHost(compileHosts(undefined), 'anything')).toBe(true);
  });

  it('normalizes the Host header', () => {
    expect(normalizeHost('TByte.Local:8080')).toBe('tbyte.local');
    expect(normalizeHost('[::1]:80')).toBe('[::1]');
    expect(normalizeHost('example.com.')).toBe('example.com');
    expect(normalizeHost(undefined)).toBe('');
  });
});

describe('findRoute', () => {
  const routes = [
    route(['tbyte.local'], [{ uri: { exact: '/api/health' } }]),
    route(['tbyte.local'], [{ uri: { prefix: '/' }, headers: { 'x-canary': { exact: 'always' } } }]),
    route(['*'], [{ uri: { regex: '/v[0-9]+/.*' }, method: { exact: 'POST' } }]),
    route(['tbyte.local', '*'], [{ uri: { prefix: '/' } }]),
  ];

  it('takes the first route that matches', () => {
    expect(findRoute(routes, facts({ path: '/api/health' })).index).toBe(0);
    expect(findRoute(routes, facts({ path: '/api/health', host: 'other' })).index).toBe(3);
    expect(findRoute(routes, facts({ path: '/x', headers: { 'x-canary': 'always' } })).index).toBe(1);
    expect(findRoute(routes, facts({ path: '/x', headers: { 'x-canary': 'never' } })).index).toBe(3);
  });

  it('anchors regex on the whole path (RE2 full match) and checks the method', () => {
    expect(findRoute(routes, facts({ path: '/v2/users', method: 'POST' })).index).toBe(2);
    expect(findRoute(routes, facts({ path: '/v2/users', method: 'GET' })).index).toBe(3);
    expect(findRoute(routes, facts({ path: '/x/v2/users', method: 'POST' })).index).toBe(3);
  });

  it('joins repeated header values and requires the header to be present', () => {
    const r = [route(undefined, [{ headers: { 'x-a': { prefix: 'one,' } } }])];
    expect(findRoute(r, facts({ headers: { 'x-a': ['one', 'two'] } })).index).toBe(0);
    expect(findRoute(r, facts({ headers: {} })).index).toBe(-1);
  });

  it('matches everything when a route has no match list, nothing when none fits', () => {
    expect(findRoute([route(['a.local'], [])], facts({ host: 'a.local' })).index).toBe(0);
    expect(findRoute([route(['a.local'], [])], facts({ host: 'b.local' })).index).toBe(-1);
  });
});

describe('rewritePath', () => {
  it('replaces the matched prefix, or the whole path, and keeps the query', () => {
    const prefix = compileMatch({ uri: { prefix: '/api/' } });
    const exact = compileMatch({ uri: { exact: '/api/health' } });
    expect(rewritePath('/api/users?id=1', '/api/users', prefix, '/v2/')).toBe('/v2/users?id=1');
    expect(rewritePath('/api/health?x=1', '/api/health', exact, '/health')).toBe('/health?x=1');
    expect(rewritePath('/anything', '/anything', undefined, '/fixed')).toBe('/fixed');
  });
});
