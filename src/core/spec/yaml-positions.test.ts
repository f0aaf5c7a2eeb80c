import { describe, expect, it } from 'vitest';
import { LineCounter, parseDocument } from 'yaml';
import { createLocator, formatPath } from './yaml-positions.js';

describe('formatPath', () => {
  it('joins keys with dots and indexes with brackets', () => {
    expect(formatPath(['spec', 'strategy', 'canary', 'steps', 2, 'pause', 'duration'])).toBe('spec.strategy.canary.steps[2].pause.duration');
    expect(formatPath([0, 'a'])).toBe('[0].a');
    expect(formatPath([])).toBe('');
  });
});

describe('createLocator', () => {
  const text = 'spec:\n  steps:\n  - setWeight: 10\n  - pause:\n      duration: 30x\n  flow: {a: 1, b: [x, y]}\n';
  const lc = new LineCounter();
  const locate = createLocator(parseDocument(text, { lineCounter: lc }), lc);

  it('points at a scalar value', () => {
    expect(locate(['spec', 'steps', 1, 'pause', 'duration'])).toEqual({ line: 5, column: 17 });
    expect(locate(['spec', 'flow', 'b', 1])).toEqual({ line: 6, column: 23 });
  });

  it('points at the key of a collection value and at a sequence item', () => {
    expect(locate(['spec', 'steps'])).toEqual({ line: 2, column: 3 });
    expect(locate(['spec', 'steps', 1])).toEqual({ line: 4, column: 5 });
  });

  it('falls back to the deepest existing parent for a missing field', () => {
    expect(locate(['spec', 'steps', 0, 'missing', 'deeper'])).toEqual({ line: 3, column: 5 });
    expect(locate(['spec', 'steps', 9])).toEqual({ line: 2, column: 3 });
  });
});
