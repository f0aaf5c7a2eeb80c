/**
 * Defaults as Argo Rollouts and Kubernetes apply them when a field is left out. Sources:
 * Argo `utils/defaults/defaults.go`, Kubernetes `pkg/apis/{apps,core}/v1/defaults.go`,
 * Argo `metricproviders/webmetric/webmetric.go`, Istio's VirtualService reference.
 */

/** Rollout / Deployment `spec.replicas`. */
export const DEFAULT_REPLICAS = 1;
export const DEFAULT_REVISION_HISTORY_LIMIT = 10;
export const DEFAULT_PROGRESS_DEADLINE_SECONDS = 600;
export const DEFAULT_MIN_READY_SECONDS = 0;
/** Argo `DefaultMaxSurge` / `DefaultMaxUnavailable`; also the Deployment RollingUpdate defaults. */
export const DEFAULT_MAX_SURGE = '25%';
export const DEFAULT_MAX_UNAVAILABLE = '25%';
/** Argo `DefaultScaleDownDelaySeconds` / `DefaultAbortScaleDownDelaySeconds`. */
export const DEFAULT_SCALE_DOWN_DELAY_SECONDS = 30;
export const DEFAULT_ABORT_SCALE_DOWN_DELAY_SECONDS = 30;
export const DEFAULT_AUTO_PROMOTION_ENABLED = true;
/** Argo's weight scale: setWeight runs 0..maxTrafficWeight. */
export const DEFAULT_MAX_TRAFFIC_WEIGHT = 100;
/** Argo `DefaultConsecutiveErrorLimit`. */
export const DEFAULT_CONSECUTIVE_ERROR_LIMIT = 4;
/** `setMirrorRoute.percentage` when unset (Argo `istio.go` createMirrorRoute). */
export const DEFAULT_MIRROR_PERCENTAGE = 100;

/** Kubernetes probe defaults (`SetDefaults_Probe`). */
export const PROBE_DEFAULTS = {
  initialDelaySeconds: 0,
  periodSeconds: 10,
  timeoutSeconds: 1,
  successThreshold: 1,
  failureThreshold: 3,
} as const;

/** Kubernetes `SetDefaults_PodSpec`. */
export const DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS = 30;
export const DEFAULT_SERVICE_TYPE = 'ClusterIP';
export const DEFAULT_PROTOCOL = 'TCP';

/** Argo web metric provider. */
export const DEFAULT_WEB_METHOD = 'GET';
export const DEFAULT_WEB_TIMEOUT_SECONDS = 10;
export const DEFAULT_WEB_JSON_PATH = '{$}';

/** Kubernetes Job `backoffLimit`. */
export const DEFAULT_JOB_BACKOFF_LIMIT = 6;

/** Istio: a route with a single destination and no weight sends it all traffic. */
export const ISTIO_SINGLE_DESTINATION_WEIGHT = 100;
