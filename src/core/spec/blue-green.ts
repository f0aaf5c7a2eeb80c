/** `spec.strategy.blueGreen`, checked as Argo's `ValidateRolloutStrategyBlueGreen`. */
import type { BlueGreenStrategy } from './types.js';
import { DEFAULT_ABORT_SCALE_DOWN_DELAY_SECONDS, DEFAULT_AUTO_PROMOTION_ENABLED, DEFAULT_MAX_UNAVAILABLE, DEFAULT_SCALE_DOWN_DELAY_SECONDS } from './defaults.js';
import type { Field } from './fields.js';
import { readIntOrPercent, readMetadata } from './canary.js';
import { readRolloutAnalysis, type AnalysisUse } from './rollout-analysis.js';

const BLUE_GREEN_KEYS = [
  'activeService',
  'previewService',
  'previewReplicaCount',
  'autoPromotionEnabled',
  'autoPromotionSeconds',
  'maxUnavailable',
  'scaleDownDelaySeconds',
  'scaleDownDelayRevisionLimit',
  'abortScaleDownDelaySeconds',
  'prePromotionAnalysis',
  'postPromotionAnalysis',
  'previewMetadata',
  'activeMetadata',
  'antiAffinity',
];

/** Reads `spec.strategy.blueGreen`; analysis blocks are added to `uses` for cross-checks. */
export function readBlueGreen(f: Field, revisionHistoryLimit: number, uses: AnalysisUse[]): BlueGreenStrategy {
  f.checkKeys(BLUE_GREEN_KEYS, 'spec.strategy.blueGreen');
  const activeService = f.get('activeService').string({ required: true, hint: 'name the Service that receives production traffic' }) ?? '';
  const previewService = f.get('previewService').string();
  if (activeService && previewService === activeService) {
    f.get('activeService').error(
      'duplicate-service',
      'This rollout uses the same service for the active and preview services, but two different services are required.',
    );
  }
  const strategy: BlueGreenStrategy = {
    type: 'blueGreen',
    activeService,
    autoPromotionEnabled: f.get('autoPromotionEnabled').bool(DEFAULT_AUTO_PROMOTION_ENABLED),
    autoPromotionSeconds: f.get('autoPromotionSeconds').int({ min: 0 }) ?? 0,
    maxUnavailable: readIntOrPercent(f.get('maxUnavailable'), DEFAULT_MAX_UNAVAILABLE).value,
    scaleDownDelaySeconds: f.get('scaleDownDelaySeconds').int({ min: 0 }) ?? DEFAULT_SCALE_DOWN_DELAY_SECONDS,
    abortScaleDownDelaySeconds: f.get('abortScaleDownDelaySeconds').int({ min: 0 }) ?? DEFAULT_ABORT_SCALE_DOWN_DELAY_SECONDS,
  };
  if (previewService) strategy.previewService = previewService;
  const previewReplicaCount = f.get('previewReplicaCount').int({ min: 0 });
  if (previewReplicaCount !== undefined) strategy.previewReplicaCount = previewReplicaCount;
  const limit = f.get('scaleDownDelayRevisionLimit').int({ min: 0 });
  if (limit !== undefined) {
    strategy.scaleDownDelayRevisionLimit = limit;
    if (revisionHistoryLimit < limit) {
      f.get('scaleDownDelayRevisionLimit').error('invalid-value', "This rollout's revision history limit can not be smaller than the rollout's scale down limit");
    }
  }
  const pre = readRolloutAnalysis(f.get('prePromotionAnalysis'), 'PrePromotion', uses);
  if (pre) strategy.prePromotionAnalysis = pre;
  const post = readRolloutAnalysis(f.get('postPromotionAnalysis'), 'PostPromotion', uses);
  if (post) strategy.postPromotionAnalysis = post;
  const pm = readMetadata(f.get('previewMetadata'));
  if (pm) strategy.previewMetadata = pm;
  const am = readMetadata(f.get('activeMetadata'));
  if (am) strategy.activeMetadata = am;
  return strategy;
}
