/**
 * Acceptance: blue/green through `baton simulate` (argo-semantics.md "Blue/green").
 */
import { describe, expect, it } from 'vitest';
import { blueGreenRollout, events, measurements, runName, simulate } from './support.js';

function blueGreen(strategy: string): string {
  return `${blueGreenRollout(strategy, { replicas: 3 })}---
apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata: {name: smoke}
spec:
  metrics:
  - name: health
    successCondition: result.ok == true
    provider:
      web: {url: "http://shop-preview/health", jsonPath: "{$}"}
---
apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata: {name: soak}
spec:
  metrics:
  - name: latency
    interval: 10s
    count: 2
    successCondition: result < 0.5
    provider:
      prometheus: {address: "http://prom:9090", query: "up"}
`;
}

const ANALYSED = `      previewReplicaCount: 1
      autoPromotionEnabled: false
      scaleDownDelaySeconds: 20
      prePromotionAnalysis: {templates: [{templateName: smoke}]}
      postPromotionAnalysis: {templates: [{templateName: soak}]}`;

const scenario = (metrics: string, actions: string): string => `update: {image: "shop:v2"}\nreadySeconds: 5\nmetrics:\n${metrics}actions:\n${actions}`;

describe('blue/green', () => {
  it('preview at previewReplicaCount, pre-promotion analysis, BlueGreenPause until promote, switch, post-promotion analysis, old revision scaled down after the delay', async () => {
    const { exitCode, result } = await simulate(
      blueGreen(ANALYSED),
      scenario('  health: [{ok: true}]\n  latency: [0.2]\n', '- {at: 60s, do: promote}\n- {at: 5m, do: resume}\n'),
    );
    expect(events(result, 'PreviewSwitched')).toEqual([{ t: 0, type: 'PreviewSwitched', revision: 2 }]);
    const runs = events(result, 'AnalysisRunStarted');
    expect(runs.map((e) => [e.t, e.kind])).toEqual([
      [5, 'PrePromotion'],
      [65, 'PostPromotion'],
    ]);
    expect(runs[0]?.run).toMatch(runName('shop', 2, 'pre'));
    expect(runs[1]?.run).toMatch(runName('shop', 2, 'post'));
    expect(events(result, 'Measurement').find((e) => e.metric === 'health')).toMatchObject({ t: 5, phase: 'Successful', value: '{"ok":true}' });
    expect(events(result, 'Paused')).toEqual([{ t: 5, type: 'Paused', reason: 'BlueGreenPause' }]);
    // Promote at 60 scales the preview (1 pod) to 3; the new pods are ready at 65.
    expect(events(result, 'ActiveSwitched')).toEqual([{ t: 65, type: 'ActiveSwitched', revision: 2 }]);
    expect(measurements(result).filter(([, m]) => m === 'latency').map(([t]) => t)).toEqual([65, 75]);
    expect(events(result, 'Promoted')).toEqual([{ t: 75, type: 'Promoted', revision: 2, reason: 'Completed blue-green update' }]);
    expect(events(result, 'ScaledDown').map((e) => [e.t, e.revision])).toEqual([[95, 1]]);
    expect(exitCode).toBe(0);
    expect(result).toMatchObject({ phase: 'Healthy', aborted: false });
  });

  it('without a promote stays Paused with BlueGreenPause (exit 2)', async () => {
    const { exitCode, result } = await simulate(blueGreen(ANALYSED), `update: {image: "shop:v2"}\nmetrics:\n  health: [{ok: true}]\nuntil: 1h\n`);
    expect(exitCode).toBe(2);
    expect(result).toMatchObject({ phase: 'Paused', message: 'BlueGreenPause', elapsedSeconds: 3600 });
    expect(events(result, 'ActiveSwitched')).toEqual([]);
  });

  it('autoPromotionSeconds ends the pause by itself', async () => {
    const { exitCode, result } = await simulate(
      blueGreen('      autoPromotionSeconds: 30\n      prePromotionAnalysis: {templates: [{templateName: smoke}]}'),
      `update: {image: "shop:v2"}\nreadySeconds: 5\nmetrics:\n  health: [{ok: true}]\n`,
    );
    expect(events(result, 'Paused')).toEqual([{ t: 5, type: 'Paused', reason: 'BlueGreenPause' }]);
    expect(events(result, 'ActiveSwitched')).toEqual([{ t: 35, type: 'ActiveSwitched', revision: 2 }]);
    expect(events(result, 'Promoted').map((e) => e.t)).toEqual([35]);
    expect(exitCode).toBe(0);
    expect(result.elapsedSeconds).toBe(35);
  });

  it('with auto promotion and no analysis switches as soon as the new revision is available', async () => {
    const { exitCode, result } = await simulate(blueGreen(''), 'update: {image: "shop:v2"}\nreadySeconds: 12\n');
    expect(events(result, 'Paused')).toEqual([]);
    expect(events(result, 'ActiveSwitched')).toEqual([{ t: 12, type: 'ActiveSwitched', revision: 2 }]);
    expect(events(result, 'Promoted')).toEqual([{ t: 12, type: 'Promoted', revision: 2, reason: 'Completed blue-green update' }]);
    expect(exitCode).toBe(0);
  });

  it('pre-promotion failure aborts and the active Service stays on the stable revision', async () => {
    const { exitCode, result } = await simulate(blueGreen(ANALYSED), scenario('  health: [{ok: false}]\n', '- {at: 5m, do: resume}\n'));
    const runMessage = 'Metric "health" assessed Failed due to failed (1) > failureLimit (0)';
    expect(events(result, 'Aborted').map((e) => [e.t, e.message])).toEqual([[5, `Blue/green pre-promotion analysis phase error/failed: ${runMessage}`]]);
    expect(events(result, 'ActiveSwitched')).toEqual([]);
    // abortScaleDownDelaySeconds defaults to 30.
    expect(events(result, 'ScaledDown').map((e) => e.t)).toEqual([35]);
    expect(exitCode).toBe(1);
    expect(result).toMatchObject({
      phase: 'Degraded',
      message: `RolloutAborted: Rollout aborted update to revision 2: Blue/green pre-promotion analysis phase error/failed: ${runMessage}`,
      aborted: true,
    });
  });

  it('post-promotion failure aborts and switches the active Service back', async () => {
    const { exitCode, result } = await simulate(
      blueGreen(ANALYSED),
      scenario('  health: [{ok: true}]\n  latency: [0.2, 0.9]\n', '- {at: 60s, do: promote}\n'),
    );
    expect(events(result, 'ActiveSwitched')).toEqual([
      { t: 65, type: 'ActiveSwitched', revision: 2 },
      { t: 75, type: 'ActiveSwitched', revision: 1 },
    ]);
    expect(events(result, 'Aborted').map((e) => [e.t, e.message])).toEqual([
      [75, 'Blue/green post-promotion analysis phase error/failed: Metric "latency" assessed Failed due to failed (1) > failureLimit (0)'],
    ]);
    expect(events(result, 'Promoted')).toEqual([]);
    expect(exitCode).toBe(1);
    expect(result).toMatchObject({ phase: 'Degraded', aborted: true, elapsedSeconds: 75 });
  });
});
