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
});
