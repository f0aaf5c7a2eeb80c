import { describe, expect, it } from 'vitest';
import { compileK8sJsonPath, findFirst } from './k8s-jsonpath.js';

const doc = { data: { ok: true, value: 0.5 }, items: [{ value: 3 }, { value: 4 }] };

function first(template: string): unknown {
  const c = compileK8sJsonPath(template);
  if (!c.ok) throw new Error(c.message);
  const f = findFirst(c.path, doc);
  return f.found ? f.value : 'NOT FOUND';
}

describe('Kubernetes JSONPath templates', () => {
  it('translates the forms Argo templates use', () => {
    expect(first('{$}')).toEqual(doc);
    expect(first('')).toEqual(doc);
    expect(first('{$.data.ok}')).toBe(true);
    expect(first('{.data.value}')).toBe(0.5);
    expect(first('{$.items[0].value}')).toBe(3);
    expect(first('{.items[*].value}')).toBe(3);
    expect(first('{.items[1].value}')).toBe(4);
    expect(first('{.items[?(@.value > 3)].value}')).toBe(4);
  });
  it('reports no match as not found', () => {
    expect(first('{.data.missing}')).toBe('NOT FOUND');
  });
  it('reports a malformed expression instead of throwing', () => {
    const c = compileK8sJsonPath('{.items[?(@.value >]}');
    expect(c.ok).toBe(true);
    if (c.ok) expect(findFirst(c.path, doc)).toMatchObject({ found: false, error: expect.any(String) as string });
  });
  it('rejects templates that mix text or hold several expressions', () => {
    expect(compileK8sJsonPath('value: {.x}').ok).toBe(false);
    expect(compileK8sJsonPath('{.a}{.b}').ok).toBe(false);
    expect(compileK8sJsonPath('{data}').ok).toBe(false);
  });
});
