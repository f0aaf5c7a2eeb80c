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

describe('parseScenario: spec changes and pods', () => {
  it('reads update and edit actions and pod rules', () => {
    const { scenario, diagnostics } = parseScenario(
      's.yaml',
      [
        'update: {image: "shop:v2"}',
        'actions:',
        '- {at: 1m, do: update, image: "shop:v3", env: {MODE: 2}}',
        '- {at: 2m, do: edit, set: {spec.replicas: 6, "spec.strategy.canary.steps[0].setWeight": 30}}',
        '- {at: 3m, do: edit, kind: AnalysisTemplate, name: rate, set: {"spec.args[0].value": "0.9"}}',
        'pods:',
        '- {revision: 2, pod: 1, ready: never}',
        '- {revision: 2, readySeconds: 20}',
        '- {revision: 1, pod: 0, unreadyAt: 30s, readyAgainAt: 1m}',
      ].join('\n'),
    );
    expect(diagnostics).toEqual([]);
    expect(scenario?.actions).toEqual([
      { at: 60_000, update: { image: 'shop:v3', env: { MODE: '2' } } },
      { at: 120_000, edit: { kind: 'Rollout', set: [{ path: 'spec.replicas', value: 6 }, { path: 'spec.strategy.canary.steps[0].setWeight', value: 30 }] } },
      { at: 180_000, edit: { kind: 'AnalysisTemplate', name: 'rate', set: [{ path: 'spec.args[0].value', value: '0.9' }] } },
    ]);
    expect(scenario?.pods).toEqual([
      { revision: 2, pod: 1, readyMs: Infinity },
      { revision: 2, readyMs: 20_000 },
      { revision: 1, pod: 0, unreadyAt: 30_000, readyAgainAt: 60_000 },
    ]);
  });

  it('names every bad action field and pod rule', () => {
    const { diagnostics } = parseScenario(
      's.yaml',
      [
        'update: {image: "shop:v2"}',
        'actions:',
        '- {at: 1m, do: update}',
        '- {at: 1m, do: edit, set: {"spec..x": 1}}',
        '- {at: 1m, do: edit}',
        '- {at: 1m, do: update, image: "x", toRevision: 2}',
        'pods:',
        '- {revision: 0, ready: soon}',
        '- {revision: 2, unreadyAt: 2m, readyAgainAt: 1m}',
        '- {revision: 2}',
      ].join('\n'),
    );
    expect(diagnostics.map((d) => [d.line, d.path, d.message])).toEqual([
      [3, 'actions[0]', 'changes nothing'],
      [4, 'actions[1].set', '"spec..x" is not a field path'],
      [5, 'actions[2].set', 'must map field paths to values'],
      [6, 'actions[3].toRevision', 'only undo takes toRevision'],
      [8, 'pods[0].revision', '0 is not a revision number'],
      [8, 'pods[0].ready', '"soon": the only value is never'],
      [9, 'pods[1].readyAgainAt', 'must come after unreadyAt'],
      [10, 'pods[2].revision', 'the rule changes nothing'],
    ]);
  });
});
