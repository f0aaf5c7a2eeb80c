import { describe, expect, it } from 'vitest';
import { analysis, blueGreenStrategy, makeRollout, RolloutDriver, type RunScript } from './driver.test-support.js';
import type { AnalysisRunKind } from './types.js';

const S = 1000;

function scripted(byKind: Partial<Record<AnalysisRunKind, RunScript>>) {
  return ({ kind }: { kind: AnalysisRunKind }) => byKind[kind] ?? [{ after: 0, phase: 'Successful' as const }];
}

function deployed(d: RolloutDriver): { v1: string } {
  d.run(60 * S);
  const v1 = d.state.stableHash as string;
  d.update('shop:v2');
  return { v1 };
}

describe('blue/green', () => {
  it('first deploy switches the active Service at once', () => {
    const d = new RolloutDriver(makeRollout(blueGreenStrategy()), { readyMs: 5 * S });
    d.run(0);
    expect(d.selectors).toEqual({ active: d.state.currentHash, preview: d.state.currentHash });
    expect(d.events('Promoted')).toHaveLength(1);
    expect(d.status).toMatchObject({ phase: 'Progressing', message: 'updated replicas are still becoming available' });
    d.run(5 * S);
    expect(d.status).toMatchObject({ phase: 'Healthy', stableRevision: 1, stepCount: 0 });
  });

  it('autoPromotionEnabled: preview, then active once available; old active scaled down after the delay', () => {
    const d = new RolloutDriver(makeRollout(blueGreenStrategy()), { readyMs: 10 * S });
    const { v1 } = deployed(d);
    d.run(65 * S);
    expect(d.selectors['active']).toBe(v1);
    expect(d.status).toMatchObject({ phase: 'Progressing', message: 'updated replicas are still becoming available' });
    d.run(70 * S);
    const v2 = d.state.currentHash as string;
    expect(d.selectors).toEqual({ active: v2, preview: v2 });
    expect(d.events('PreviewSwitched').map((e) => [e.t / S, e.revision])).toEqual([[0, 1], [60, 2]]);
    expect(d.events('ActiveSwitched').map((e) => [e.t / S, e.revision])).toEqual([[0, 1], [70, 2]]);
    expect(d.events('Promoted').at(-1)).toMatchObject({ t: 70 * S, revision: 2, reason: 'Completed blue-green update' });
    expect(d.status.phase).toBe('Healthy');
    expect(d.pods.get(v1)).toHaveLength(2);
    d.run(200 * S);
    expect(d.events('ScaledDown').map((e) => [e.t / S, e.hash])).toEqual([[100, v1]]);
  });

  it('autoPromotionEnabled false: BlueGreenPause until promote', () => {
    const d = new RolloutDriver(makeRollout(blueGreenStrategy({ autoPromotionEnabled: false })));
    const { v1 } = deployed(d);
    d.run(3600 * S);
    expect(d.status).toMatchObject({ phase: 'Paused', message: 'BlueGreenPause' });
    expect(d.selectors['active']).toBe(v1);
    expect(d.selectors['preview']).toBe(d.state.currentHash);
    d.act({ type: 'promote' });
    d.settle();
    expect(d.selectors['active']).toBe(d.state.currentHash);
    expect(d.status.phase).toBe('Healthy');
  });

  it('autoPromotionSeconds: the pause ends by itself after N seconds', () => {
    const d = new RolloutDriver(makeRollout(blueGreenStrategy({ autoPromotionSeconds: 45 })), { readyMs: 5 * S });
    deployed(d);
    d.run(100 * S);
    expect(d.status.message).toBe('BlueGreenPause');
    expect(d.wakeAt).toBe(110 * S);
    d.run(200 * S);
    expect(d.events('ActiveSwitched').at(-1)?.t).toBe(110 * S);
  });

  it('previewReplicaCount: the preview runs small, then scales to full before the switch', () => {
    const d = new RolloutDriver(makeRollout(blueGreenStrategy({ previewReplicaCount: 1, autoPromotionEnabled: false }), { replicas: 3 }), { readyMs: 5 * S });
    deployed(d);
    d.run(100 * S);
    const v2 = d.state.currentHash as string;
    expect(d.pods.get(v2)).toHaveLength(1);
    expect(d.status.message).toBe('BlueGreenPause');
    d.act({ type: 'promote' });
    d.run(101 * S);
    expect(d.pods.get(v2)).toHaveLength(3);
    expect(d.selectors['active']).not.toBe(v2);
    expect(d.status.message).toBe('updated replicas are still becoming available');
    d.run(106 * S);
    expect(d.selectors['active']).toBe(v2);
    expect(d.status.phase).toBe('Healthy');
  });

  it('pre-promotion analysis gates the switch; its failure aborts and leaves the active Service alone', () => {
    const pre = analysis('smoke');
    const d = new RolloutDriver(makeRollout(blueGreenStrategy({ prePromotionAnalysis: pre })), {
      runScript: scripted({ PrePromotion: [{ after: 30 * S, phase: 'Failed', message: 'Metric "smoke" assessed Failed due to failed (1) > failureLimit (0)' }] }),
    });
    const { v1 } = deployed(d);
    d.run(61 * S);
    expect(d.effectsOf('startAnalysisRun').map((e) => [e.name, e.kind])).toEqual([[`shop-${d.state.currentHash}-2-pre`, 'PrePromotion']]);
    expect(d.status).toMatchObject({ phase: 'Progressing', message: 'active service cutover pending' });
    d.run(200 * S);
    expect(d.status).toMatchObject({
      phase: 'Degraded',
      message: 'RolloutAborted: Rollout aborted update to revision 2: Blue/green pre-promotion analysis phase error/failed: Metric "smoke" assessed Failed due to failed (1) > failureLimit (0)',
    });
    expect(d.selectors['active']).toBe(v1);
    expect(d.events('ActiveSwitched')).toHaveLength(1);
    // The new revision goes after abortScaleDownDelaySeconds (30).
    expect(d.events('ScaledDown').map((e) => e.t / S)).toEqual([120]);
  });

  it('the pause comes after pre-promotion analysis has succeeded', () => {
    const d = new RolloutDriver(makeRollout(blueGreenStrategy({ autoPromotionSeconds: 20, prePromotionAnalysis: analysis('smoke') })), {
      runScript: scripted({ PrePromotion: [{ after: 30 * S, phase: 'Successful' }] }),
    });
    const { v1 } = deployed(d);
    d.run(89 * S);
    expect(d.status).toMatchObject({ phase: 'Progressing', message: 'active service cutover pending' });
    d.run(90 * S);
    expect(d.status).toMatchObject({ phase: 'Paused', message: 'BlueGreenPause' });
    expect(d.selectors['active']).toBe(v1);
    d.run(200 * S);
    expect(d.events('ActiveSwitched').at(-1)?.t).toBe(110 * S);
  });

  it('post-promotion analysis: Successful -> stable; Failed -> abort and switch back', () => {
    const post = analysis('post');
    const ok = new RolloutDriver(makeRollout(blueGreenStrategy({ postPromotionAnalysis: post })), { runScript: scripted({ PostPromotion: [{ after: 20 * S, phase: 'Successful' }] }) });
    deployed(ok);
    ok.run(70 * S);
    expect(ok.selectors['active']).toBe(ok.state.currentHash);
    expect(ok.status).toMatchObject({ phase: 'Progressing', message: 'waiting for analysis to complete', stableRevision: 1 });
    ok.run(100 * S);
    expect(ok.status).toMatchObject({ phase: 'Healthy', stableRevision: 2 });
    expect(ok.events('Promoted').at(-1)?.t).toBe(80 * S);

    const bad = new RolloutDriver(makeRollout(blueGreenStrategy({ postPromotionAnalysis: post })), { runScript: scripted({ PostPromotion: [{ after: 20 * S, phase: 'Error', message: 'oops' }] }) });
    const { v1 } = deployed(bad);
    bad.run(200 * S);
    expect(bad.status.message).toBe('RolloutAborted: Rollout aborted update to revision 2: Blue/green post-promotion analysis phase error/failed: oops');
    expect(bad.selectors['active']).toBe(v1);
    expect(bad.events('ActiveSwitched').map((e) => [e.t / S, e.revision])).toEqual([[0, 1], [60, 2], [80, 1]]);
    expect(bad.pods.get(v1)).toHaveLength(2);
  });

  it('promote --full skips pause and analysis', () => {
    const d = new RolloutDriver(makeRollout(blueGreenStrategy({ autoPromotionEnabled: false, prePromotionAnalysis: analysis('smoke') })), { runScript: scripted({ PrePromotion: [] }) });
    deployed(d);
    d.run(100 * S);
    // Pre-promotion analysis never finishes, so the pause never starts.
    expect(d.status.message).toBe('active service cutover pending');
    d.act({ type: 'promote-full' });
    d.settle();
    expect(d.status.phase).toBe('Healthy');
    expect(d.events('Promoted').at(-1)?.reason).toBe('Full promotion requested');
    expect(d.effectsOf('terminateAnalysisRun')).toHaveLength(1);
  });

  it('retry after a pre-promotion failure starts a new run (.1)', () => {
    let n = 0;
    const d = new RolloutDriver(makeRollout(blueGreenStrategy({ prePromotionAnalysis: analysis('smoke') })), {
      runScript: () => (n++ === 0 ? [{ after: 5 * S, phase: 'Failed' }] : [{ after: 5 * S, phase: 'Successful' }]),
    });
    deployed(d);
    d.run(100 * S);
    expect(d.status.phase).toBe('Degraded');
    expect(d.status.message).toBe('RolloutAborted: Rollout aborted update to revision 2: Blue/green pre-promotion analysis phase error/failed');
    d.act({ type: 'retry' });
    d.run(200 * S);
    const names = d.effectsOf('startAnalysisRun').map((e) => e.name);
    expect(names[1]).toBe(`${names[0]}.1`);
    expect(d.status.phase).toBe('Healthy');
  });
  it('spec.paused holds the preview and active switches (Argo haltProgress); resume goes on', () => {
    const d = new RolloutDriver(makeRollout(blueGreenStrategy()), { readyMs: 10 * S });
    const { v1 } = deployed(d);
    d.rollout.spec.paused = true;
    d.run(200 * S);
    expect(d.selectors).toEqual({ active: v1, preview: v1 });
    expect(d.status).toMatchObject({ phase: 'Paused', message: 'manually paused' });
    d.act({ type: 'resume' });
    d.run(300 * S);
    const v2 = d.state.currentHash as string;
    expect(d.selectors).toEqual({ active: v2, preview: v2 });
    expect(d.status.phase).toBe('Healthy');
  });

  it('an inconclusive pre-promotion run holds the rollout until promote (Argo TestRolloutPrePromotionAnalysisDoNothingOnInconclusiveAnalysis)', () => {
    const r = makeRollout(blueGreenStrategy({ prePromotionAnalysis: analysis('pre') }));
    const d = new RolloutDriver(r, { readyMs: 5 * S, runScript: scripted({ PrePromotion: [{ after: 5 * S, phase: 'Inconclusive' }] }) });
    const { v1 } = deployed(d);
    d.run(3600 * S);
    expect(d.status).toMatchObject({ phase: 'Paused', message: 'InconclusiveAnalysisRun' });
    expect(d.selectors['active']).toBe(v1);
  });
  it('no old-revision scale-down while paused on an inconclusive run (Argo scaleDownOldReplicaSetsForBlueGreen)', () => {
    const r = makeRollout(blueGreenStrategy({ prePromotionAnalysis: analysis('pre') }));
    const d = new RolloutDriver(r, { readyMs: 5 * S, runScript: scripted({ PrePromotion: [{ after: 5 * S, phase: 'Inconclusive' }] }) });
    deployed(d);
    d.run(100 * S);
    const v2 = d.state.currentHash as string;
    d.update('shop:v3');
    d.run(3600 * S);
    expect(d.status).toMatchObject({ phase: 'Paused', message: 'InconclusiveAnalysisRun' });
    // v2 is neither stable, active nor current, but it stays up while the rollout is paused.
    expect(d.state.desiredReplicas[v2]).toBe(2);
    d.act({ type: 'abort' });
    d.run(7200 * S);
    expect(d.state.desiredReplicas[v2]).toBe(0);
  });
});
