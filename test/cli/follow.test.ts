/**
 * The verbs that follow the controller by long-polling its events: `status` (exit 0 Healthy,
 * 1 Degraded, 2 timeout; Paused is not an end), `get --watch` and `events --watch` (re-render
 * or print on each new event until Ctrl-C). The fake controller answers a parked long poll the
 * moment the test adds an event, so nothing here sleeps.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { baton, startBaton, useFakeController } from './support/cli.js';

const s = useFakeController(beforeEach, afterEach);

const pollsFor = (path: string) => s.controller.requests.filter((r) => r.path === path && r.query.waitMs !== undefined);

describe('baton status', () => {
  it('waits through Paused and Progressing, prints each change, exits 0 on Healthy', async () => {
    const status = startBaton(['status', 'frontend', ...s.at], { cwd: s.ws.cwd });
    await status.until((s) => s.includes('Paused - CanaryPauseStep'), 'the paused line');
    await s.controller.polls(1);
    s.controller.emit('frontend', 'Promoted', 'promoted', (d) => Object.assign(d, { phase: 'Progressing', message: 'more replicas need to be updated' }));
    await status.until((s) => s.includes('Progressing'), 'the progressing line');
    await s.controller.polls(2);
    // An event of another workload does not end the wait.
    s.controller.emit('backend', 'Restarted', 'restarted');
    s.controller.emit('frontend', 'Completed', 'Completed all 9 canary steps', (d) => Object.assign(d, { phase: 'Healthy', message: '' }));
    expect(await status.exit).toBe(0);
    expect(status.stdout()).toBe(
      'Paused - CanaryPauseStep (still waiting: `baton promote frontend` continues it)\nProgressing - more replicas need to be updated\nHealthy\n',
    );
    expect(status.stderr()).toBe('');
    // Each long poll asked for this workload's events after the newest one seen.
    expect(pollsFor('/api/v1/events').map((r) => [r.query.workload, r.query.afterId])).toEqual([
      ['frontend', '3'],
      ['frontend', '4'],
    ]);
  });

  it('exits 1 on Degraded with its message', async () => {
    const status = startBaton(['status', 'frontend', '--timeout', '5m', ...s.at], { cwd: s.ws.cwd });
    await s.controller.polls(1);
    s.controller.emit('frontend', 'Aborted', 'aborted', (d) =>
      Object.assign(d, { phase: 'Degraded', message: 'RolloutAborted: Rollout aborted update to revision 2: Step-based analysis phase error/failed: Metric "error-rate" assessed Failed due to failed (2) > failureLimit (1)' }),
    );
    expect(await status.exit).toBe(1);
    expect(status.stdout()).toContain('\nDegraded - RolloutAborted: Rollout aborted update to revision 2: ');
    expect(status.stderr()).toBe(
      'baton: the rollout is in a degraded state with message: RolloutAborted: Rollout aborted update to revision 2: Step-based analysis phase error/failed: Metric "error-rate" assessed Failed due to failed (2) > failureLimit (1)\n',
    );
  });

  it('exits 2 when --timeout passes first; the long poll waits no longer than what is left', async () => {
    const r = await baton(['status', 'frontend', '--timeout', '1s', ...s.at], { cwd: s.ws.cwd });
    expect(r).toEqual({
      code: 2,
      stdout: 'Paused - CanaryPauseStep (still waiting: `baton promote frontend` continues it)\n',
      stderr: 'baton: rollout "frontend" is still Paused after 1s (--timeout)\n',
    });
    expect(pollsFor('/api/v1/events').every((p) => Number(p.query.waitMs) <= 1000)).toBe(true);
  });

  it('exits 0 at once on a workload that is Healthy, and refuses a bad --timeout (64)', async () => {
    expect(await baton(['status', 'backend', ...s.at], { cwd: s.ws.cwd })).toEqual({ code: 0, stdout: 'Healthy\n', stderr: '' });
    const bad = await baton(['status', 'backend', '--timeout', '5 minutes', ...s.at], { cwd: s.ws.cwd });
    expect(bad.code).toBe(64);
    expect(bad.stderr).toContain('"5 minutes" is not a duration (use 30s, 5m, 1h; 0 waits forever)');
  });
});

describe('baton get --watch', () => {
  it('re-renders on a new event, each rendering after a blank line when stdout is not a terminal, until Ctrl-C', async () => {
    const watch = startBaton(['get', 'rollout', 'frontend', '--watch', ...s.at], { cwd: s.ws.cwd });
    await watch.until((s) => s.includes('Status:          ॥ Paused'), 'the first rendering');
    await s.controller.polls(1);
    s.controller.emit('frontend', 'Promoted', 'promoted', (d) => Object.assign(d, { phase: 'Progressing', message: 'more replicas need to be updated', step: '2/9', stepIndex: 2 }));
    const out = await watch.until((s) => s.includes('Status:          ◌ Progressing'), 'the second rendering');
    const renderings = out.split('\n\nName:');
    expect(renderings).toHaveLength(2);
    expect(renderings[0]).toContain('  Step:          1/9  (pause: {})');
    expect(renderings[1]).toContain('  Step:          2/9  (analysis)');
    await s.controller.polls(2);
    watch.child.kill('SIGINT');
    expect(await watch.exit).toBe(0);
    expect(watch.stderr()).toBe('');
  });

  it('-o json --watch prints each new detail as JSON', async () => {
    const watch = startBaton(['get', 'frontend', '-w', '-o', 'json', ...s.at], { cwd: s.ws.cwd });
    await watch.until((s) => s.endsWith('}\n'), 'the first JSON');
    await s.controller.polls(1);
    s.controller.emit('frontend', 'Paused', 'manually paused', (d) => Object.assign(d, { paused: true, message: 'manually paused' }));
    const out = await watch.until((s) => s.split('\n\n{').length === 2 && s.endsWith('}\n'), 'the second JSON');
    const [first, second] = out.split('\n\n').map((t) => JSON.parse(t) as { message: string });
    expect([first?.message, second?.message]).toEqual(['CanaryPauseStep', 'manually paused']);
    watch.child.kill('SIGINT');
    expect(await watch.exit).toBe(0);
  });
});

describe('baton events --watch', () => {
  it('prints the events so far, then each new one as it happens', async () => {
    const watch = startBaton(['events', 'frontend', '--watch', ...s.at], { cwd: s.ws.cwd });
    await watch.until((s) => s.includes('CanaryPauseStep'), 'the first events');
    await s.controller.polls(1);
    s.controller.emit('frontend', 'WeightChanged', 'canary 25% / stable 75%');
    await watch.until((s) => s.includes('canary 25%'), 'the new event');
    watch.child.kill('SIGINT');
    expect(await watch.exit).toBe(0);
    expect(watch.stdout()).toBe(
      [
        '2026-01-02T03:05:05Z  frontend  RevisionCreated  revision 2 (6cf78c66c5)',
        '2026-01-02T03:05:06Z  frontend  Paused           CanaryPauseStep',
        '2026-01-02T03:04:09Z  frontend  WeightChanged    canary 25% / stable 75%',
        '',
      ].join('\n'),
    );
  });
});

describe('baton status while paused', () => {
  it('names promote for a pause step even when the controller marks it paused, and resume for a manual pause', async () => {
    const d = s.controller.workloads.get('frontend');
    if (d) d.paused = true;
    const step = await baton(['status', 'frontend', '--timeout', '1ms', ...s.at], { cwd: s.ws.cwd });
    expect(step).toMatchObject({ code: 2, stdout: 'Paused - CanaryPauseStep (still waiting: `baton promote frontend` continues it)\n' });
    if (d) d.message = 'manually paused';
    const manual = await baton(['status', 'frontend', '--timeout', '1ms', ...s.at], { cwd: s.ws.cwd });
    expect(manual).toMatchObject({ code: 2, stdout: 'Paused - manually paused (still waiting: `baton resume frontend` continues it)\n' });
  });
});
