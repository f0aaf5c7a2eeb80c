import { describe, expect, it } from 'vitest';
import { substituteArgs, substituteDeep, UnresolvedArgError } from './substitute.js';

const values = new Map([
  ['service', 'shop'],
  ['quote', 'a"b\nc'],
]);

describe('substituteArgs', () => {
  it.each([
    ['rate{svc="{{args.service}}"}', 'rate{svc="shop"}'],
    ['{{ args.service }}', 'shop'],
    ['{{args.service}}-{{args.service}}', 'shop-shop'],
    ['no tags', 'no tags'],
    // The raw value ends up in the string, as after Argo's quote -> JSON unmarshal round trip.
    ['x={{args.quote}}', 'x=a"b\nc'],
  ])('%j -> %j', (text, want) => expect(substituteArgs(text, values)).toBe(want));

  it('names an undeclared argument as Argo does, spaces kept', () => {
    expect(() => substituteArgs('{{ args.missing }}', values)).toThrow('failed to resolve {{ args.missing }}');
    try {
      substituteArgs('{{args.missing}}', values);
    } catch (err) {
      expect(err).toBeInstanceOf(UnresolvedArgError);
      expect((err as UnresolvedArgError).code).toBe('analysis-arg-unresolved');
    }
  });

  it('resolves only args.* tags: any other tag is unresolved', () => {
    expect(() => substituteArgs('{{templates.x.podTemplateHash}}', values)).toThrow(
      'failed to resolve {{templates.x.podTemplateHash}}',
    );
  });

  it.each([
    ['bell\u0007', 'a'],
    ['tab\vvertical', 'v'],
    ['nul\u0000', 'x'],
    ['del\u007f', 'x'],
    ['tag\u{e0001}', 'U'],
  ])('fails on %j as Argo fails to unmarshal its Go-quoted form', (value, letter) => {
    expect(() => substituteArgs('{{args.v}}', new Map([['v', value]]))).toThrow(`invalid character '${letter}' in string escape code`);
  });

  it('accepts the escapes JSON shares with Go', () => {
    const value = 'tab\tnl\ncr\rff\fbs\bnbsp\u00a0emoji\u{1f600}';
    expect(substituteArgs('{{args.v}}', new Map([['v', value]]))).toBe(value);
  });

  it('rejects a tag that is never closed', () => {
    expect(() => substituteArgs('a {{args.service', values)).toThrow(/cannot find end tag/);
  });
});

describe('substituteDeep', () => {
  it('substitutes every string, keys included, and copies the input', () => {
    const input = { url: 'http://{{args.service}}/', n: 3, list: ['{{args.service}}', true, null], '{{args.service}}': 'k' };
    const out = substituteDeep(input, values);
    expect(out).toEqual({ url: 'http://shop/', n: 3, list: ['shop', true, null], shop: 'k' });
    expect(input.url).toBe('http://{{args.service}}/');
  });
});
