import { describe, expect, it } from 'vitest';
import type { PodTemplateSpec } from '../spec/types.js';
import { canonicalJson, fnv1a32, podTemplateHash, safeEncodeString } from './hash.js';

function template(image: string): PodTemplateSpec {
  return {
    metadata: { labels: { app: 'shop' }, annotations: {} },
    spec: {
      containers: [{ name: 'shop', image, command: [], args: [], env: [], ports: [] }],
      terminationGracePeriodSeconds: 30,
      raw: {},
    },
  };
}

describe('podTemplateHash', () => {
  it('FNV-1a 32 matches the reference vectors', () => {
    // Go: fnv.New32a() over "" and "a".
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
  });

  it('renders with the k8s SafeEncodeString alphabet', () => {
    // '0' is byte 48, 48 % 27 = 21 -> '4'; '6' is 54, 54 % 27 = 0 -> 'b'.
    expect(safeEncodeString('12')).toBe('56');
    expect(safeEncodeString('0123456789')).toBe('456789bcdf');
    expect(podTemplateHash(template('shop:v1'))).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
  });

  it('is deterministic and independent of key order', () => {
    const a = template('shop:v1');
    const b: PodTemplateSpec = { spec: { raw: {}, terminationGracePeriodSeconds: 30, containers: a.spec.containers }, metadata: { annotations: {}, labels: { app: 'shop' } } };
    expect(podTemplateHash(a)).toBe(podTemplateHash(b));
    expect(canonicalJson({ b: 1, a: [1, { d: 2, c: undefined }] })).toBe('{"a":[1,{"d":2}],"b":1}');
  });

  it('differs when the template differs', () => {
    expect(podTemplateHash(template('shop:v1'))).not.toBe(podTemplateHash(template('shop:v2')));
  });
});
