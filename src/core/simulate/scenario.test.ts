import { describe, expect, it } from 'vitest';
import { parseScenario } from './scenario.js';

describe('parseScenario', () => {
  it('reads a full scenario', () => {
    const { scenario, diagnostics } = parseScenario(
      's.yaml',
      'rollout: shop\nupdate: {image: "shop:v2"}\nreadySeconds: 5\nmetrics:\n  m: [[0.1]]\nactions:\n- {at: 2m, do: undo, toRevision: 1}\n- {at: 45s, do: abort, reason: bad}\nuntil: 1h\n',
    );
    expect(diagnostics).toEqual([]);
    expect(scenario).toEqual({
      rollout: 'shop',
      update: { image: 'shop:v2' },
      readyMs: 5000,
      metrics: { m: [[0.1]] },
      actions: [
        { at: 45_000, action: { type: 'abort', reason: 'bad' } },
        { at: 120_000, action: { type: 'undo', toRevision: 1 } },
      ],
      pods: [],
      untilMs: 3_600_000,
    });
  });

  it('reports every problem in file order, whatever order the fields are checked in', () => {
    const { scenario, diagnostics } = parseScenario('s.yaml', 'update: {image: "x:v2"}\nactions:\n- {at: 1m, do: rollback}\nwhen: now\nrollout: 3\n');
    expect(scenario).toBeUndefined();
    expect(diagnostics.map((d) => [d.line, d.path])).toEqual([
      [3, 'actions[0].do'],
      [4, 'when'],
      [5, 'rollout'],
    ]);
  });

  it('checks toRevision and reason: a number for undo, a string for abort, nowhere else', () => {
    const { diagnostics } = parseScenario(
      's.yaml',
      'update: {image: "x:v2"}\nactions:\n- {at: 1m, do: undo, toRevision: "x"}\n- {at: 1m, do: undo, toRevision: 0}\n- {at: 1m, do: promote, toRevision: 1}\n- {at: 1m, do: abort, reason: 3}\n- {at: 1m, do: retry, reason: "r"}\n',
    );
    expect(diagnostics.map((d) => [d.line, d.path, d.message])).toEqual([
      [3, 'actions[0].toRevision', '"x" is not a revision number'],
      [4, 'actions[1].toRevision', '0 is not a revision number'],
      [5, 'actions[2].toRevision', 'only undo takes toRevision'],
      [6, 'actions[3].reason', 'must be a string'],
      [7, 'actions[4].reason', 'only abort takes reason'],
    ]);
  });
});
