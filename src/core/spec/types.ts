/**
 * Typed manifests as Baton reads them, after validation and with Argo's defaults applied.
 *
 * The shapes follow the Argo Rollouts v1alpha1 CRDs (`pkg/apis/rollouts/v1alpha1/types.go`,
 * `analysis_types.go`), Kubernetes core/apps v1 and Istio networking. Fields Baton does not read
 * are kept in `raw` objects where a later layer may need them, never silently given meaning.
 *
 * Conventions:
 * - Durations that can never hold `{{args.x}}` are normalised to seconds (`number`).
 * - AnalysisTemplate metric fields that Argo resolves after argument substitution (count,
 *   limits, interval, initialDelay) stay as written (`IntOrString` / duration strings); the
 *   analysis core resolves them per run.
 */

/** Where a manifest, or one of its fields, came from. Lines and columns are 1-based. */
import type { JudgeProvider, SequentialProvider } from '../stats/provider-spec.js';
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

export type IntOrString = number | string;

export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface ManifestBase<K extends string> {
  apiVersion: string;
  kind: K;
  metadata: ObjectMeta;
  /** Where the document starts. */
  source: SourceLocation;
}

// ---------------------------------------------------------------------------------------------
// Kubernetes core: pod templates, Services, Deployments
// ---------------------------------------------------------------------------------------------

export interface EnvVar {
  name: string;
  value?: string;
  /** Kept as written; Baton resolves `fieldRef` only (see docs/manifests.md). */
  valueFrom?: Record<string, unknown>;
}

export interface HttpGetAction {
  path: string;
  port?: IntOrString;
  scheme?: string;
  httpHeaders?: { name: string; value: string }[];
}

export interface Probe {
  httpGet?: HttpGetAction;
  exec?: { command: string[] };
  tcpSocket?: { port: IntOrString };
  /** Kubernetes defaults: 0, 10, 1, 1, 3. */
  initialDelaySeconds: number;
  periodSeconds: number;
  timeoutSeconds: number;
  successThreshold: number;
  failureThreshold: number;
}

export interface LifecycleHandler {
  exec?: { command: string[] };
  sleep?: { seconds: number };
  httpGet?: HttpGetAction;
}

export interface ContainerPort {
  name?: string;
  containerPort: number;
  protocol?: string;
}

export interface Container {
  name: string;
  image: string;
  command: string[];
  args: string[];
  env: EnvVar[];
  workingDir?: string;
  ports: ContainerPort[];
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  startupProbe?: Probe;
  lifecycle?: { preStop?: LifecycleHandler; postStart?: LifecycleHandler };
}

export interface PodTemplateSpec {
  metadata: { labels: Record<string, string>; annotations: Record<string, string> };
  spec: {
    containers: Container[];
    /** Kubernetes default 30. */
    terminationGracePeriodSeconds: number;
    /** The rest of the pod spec, as written. */
    raw: Record<string, unknown>;
  };
}

export interface LabelSelector {
  matchLabels: Record<string, string>;
  matchExpressions: { key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values: string[] }[];
}

export interface ServicePort {
  name?: string;
  port: number;
  targetPort: IntOrString;
  protocol: string;
}

export interface Service extends ManifestBase<'Service'> {
  spec: {
    selector: Record<string, string>;
    ports: ServicePort[];
    type: string;
  };
}

/**
 * Kubernetes v1 Secret, for AnalysisTemplate args read through `valueFrom.secretKeyRef`. `data`
 * holds the decoded values: `data` (base64) and `stringData` (plain, winning on a shared key, as
 * the API server merges them). Never printed.
 */
export interface Secret extends ManifestBase<'Secret'> {
  data: Record<string, string>;
}

export interface RollingUpdateStrategy {
  maxSurge: IntOrString;
  maxUnavailable: IntOrString;
}

export interface Deployment extends ManifestBase<'Deployment'> {
  spec: {
    replicas: number;
    selector: LabelSelector;
    template: PodTemplateSpec;
    minReadySeconds: number;
    progressDeadlineSeconds: number;
    revisionHistoryLimit: number;
    paused: boolean;
    strategy: { type: 'RollingUpdate'; rollingUpdate: RollingUpdateStrategy } | { type: 'Recreate' };
  };
}

// ---------------------------------------------------------------------------------------------
// Argo Rollouts: Rollout
// ---------------------------------------------------------------------------------------------

export interface AnalysisTemplateRef {
  templateName: string;
  /** true: a ClusterAnalysisTemplate. */
  clusterScope: boolean;
}

export interface AnalysisRunArgument {
  name: string;
  value?: string;
  valueFrom?: {
    podTemplateHashValue?: 'Stable' | 'Latest';
    fieldRef?: { fieldPath: string };
  };
}

export interface DryRun {
  metricName: string;
}

export interface MeasurementRetention {
  metricName: string;
  limit: number;
}

/** `steps[].analysis`, `prePromotionAnalysis`, `postPromotionAnalysis`. */
export interface RolloutAnalysis {
  templates: AnalysisTemplateRef[];
  args: AnalysisRunArgument[];
  dryRun: DryRun[];
  measurementRetention: MeasurementRetention[];
}

/** `strategy.canary.analysis`. */
export interface RolloutAnalysisBackground extends RolloutAnalysis {
  /** Default 0. */
  startingStep: number;
}

export interface StringMatch {
  exact?: string;
  prefix?: string;
  regex?: string;
}

export interface HeaderRoutingMatch {
  headerName: string;
  headerValue: StringMatch;
}

export interface RouteMatch {
  method?: StringMatch;
  path?: StringMatch;
  headers?: Record<string, StringMatch>;
}

export type CanaryStep =
  | { kind: 'setWeight'; weight: number }
  /** duration in seconds; undefined = indefinite pause. */
  | { kind: 'pause'; duration?: number }
  | { kind: 'analysis'; analysis: RolloutAnalysis }
  | { kind: 'setCanaryScale'; replicas?: number; weight?: number; matchTrafficWeight: boolean }
  | { kind: 'setHeaderRoute'; name: string; match?: HeaderRoutingMatch[] }
  | { kind: 'setMirrorRoute'; name: string; match?: RouteMatch[]; percentage: number }
  | { kind: 'experiment'; experiment: ExperimentStep }
  | { kind: 'plugin'; raw: Record<string, unknown> };

/** `steps[].experiment.templates[]` (Argo `RolloutExperimentTemplate`). */
export interface ExperimentTemplate {
  name: string;
  /** The pod template it copies: the stable revision's or the canary's. */
  specRef: 'stable' | 'canary';
  /** Default 1. */
  replicas: number;
  /** Share of traffic (needs trafficRouting); taken from the stable's share while the experiment runs. */
  weight?: number;
  /** Labels and annotations added to the copied template. */
  metadata?: { labels: Record<string, string>; annotations: Record<string, string> };
}

/** `steps[].experiment.analyses[]` (Argo `RolloutExperimentStepAnalysisTemplateRef`). */
export interface ExperimentAnalysis {
  name: string;
  templateName: string;
  clusterScope: boolean;
  /** Values may use `{{templates.<name>.podTemplateHash}}` and `{{templates.<name>.replicaset.name}}`. */
  args: AnalysisRunArgument[];
  /** The experiment does not complete until this run has completed. */
  requiredForCompletion: boolean;
}

/** `steps[].experiment` (Argo `RolloutExperimentStep`). */
export interface ExperimentStep {
  templates: ExperimentTemplate[];
  /** Seconds, counted from when every template is available; undefined = until the required analyses complete. */
  duration?: number;
  analyses: ExperimentAnalysis[];
  dryRun: DryRun[];
}

/** `spec.strategy.canary.baseline` (a Baton extension): a baseline revision beside the canary. */
export interface BaselineOption {
  enabled: boolean;
}

export type CanaryStepKind = CanaryStep['kind'];

export interface IstioTrafficRouting {
  /** `virtualService` and `virtualServices` merged into one list. */
  virtualServices: { name: string; routes: string[]; tlsRoutes: unknown[]; tcpRoutes: unknown[] }[];
  destinationRule?: { name: string; canarySubsetName: string; stableSubsetName: string };
}

export interface TrafficRouting {
  istio?: IstioTrafficRouting;
  /** Other routers (nginx, alb, smi, ...) as written; Baton reports them as unsupported. */
  other: Record<string, unknown>;
  managedRoutes: string[];
  maxTrafficWeight: number;
}

export interface CanaryStrategy {
  type: 'canary';
  canaryService?: string;
  stableService?: string;
  steps: CanaryStep[];
  analysis?: RolloutAnalysisBackground;
  trafficRouting?: TrafficRouting;
  /** Default "25%". */
  maxSurge: IntOrString;
  /** Default "25%". */
  maxUnavailable: IntOrString;
  /** Default 30 (traffic-routed canaries). */
  scaleDownDelaySeconds: number;
  scaleDownDelayRevisionLimit?: number;
  /** Default 30; 0 = never scale the aborted canary down. */
  abortScaleDownDelaySeconds: number;
  dynamicStableScale: boolean;
  minPodsPerReplicaSet?: number;
  canaryMetadata?: { labels: Record<string, string>; annotations: Record<string, string> };
  stableMetadata?: { labels: Record<string, string>; annotations: Record<string, string> };
  /** Baton extension: keep a baseline revision (stable template, fresh pods) at the canary's weight. */
  baseline?: BaselineOption;
}

export interface BlueGreenStrategy {
  type: 'blueGreen';
  activeService: string;
  previewService?: string;
  previewReplicaCount?: number;
  /** Default true. */
  autoPromotionEnabled: boolean;
  autoPromotionSeconds: number;
  maxUnavailable: IntOrString;
  /** Default 30. */
  scaleDownDelaySeconds: number;
  scaleDownDelayRevisionLimit?: number;
  /** Default 30. */
  abortScaleDownDelaySeconds: number;
  prePromotionAnalysis?: RolloutAnalysis;
  postPromotionAnalysis?: RolloutAnalysis;
  previewMetadata?: { labels: Record<string, string>; annotations: Record<string, string> };
  activeMetadata?: { labels: Record<string, string>; annotations: Record<string, string> };
}

export type RolloutStrategy = CanaryStrategy | BlueGreenStrategy;

export interface WorkloadRef {
  apiVersion: string;
  kind: string;
  name: string;
  scaleDown?: 'never' | 'onsuccess' | 'progressively';
}

export interface Rollout extends ManifestBase<'Rollout'> {
  spec: {
    /** Default 1. */
    replicas: number;
    selector?: LabelSelector;
    /** Present when written inline, or resolved from `workloadRef` by the loader. */
    template?: PodTemplateSpec;
    workloadRef?: WorkloadRef;
    /** Default 0. */
    minReadySeconds: number;
    /** Default 10. */
    revisionHistoryLimit: number;
    paused: boolean;
    /** Default 600. */
    progressDeadlineSeconds: number;
    progressDeadlineAbort: boolean;
    restartAt?: string;
    strategy: RolloutStrategy;
  };
}

// ---------------------------------------------------------------------------------------------
// Argo Rollouts: AnalysisTemplate / ClusterAnalysisTemplate
// ---------------------------------------------------------------------------------------------

export interface KeyValue {
  key: string;
  value: string;
}

export interface PrometheusProvider {
  type: 'prometheus';
  address: string;
  query: string;
  /** Seconds; Argo's default is 30 s when unset. */
  timeout?: number;
  insecure: boolean;
  headers: KeyValue[];
  rangeQuery?: { start: string; end: string; step: string };
  /** As written (sigv4, oauth2); Baton supports oauth2 client credentials only. */
  authentication?: Record<string, unknown>;
}

export interface WebProvider {
  type: 'web';
  url: string;
  /** Default GET. */
  method: string;
  headers: KeyValue[];
  body?: string;
  jsonBody?: unknown;
  /** Default 10. */
  timeoutSeconds: number;
  /** Default "{$}". */
  jsonPath: string;
  insecure: boolean;
}

export interface JobProvider {
  type: 'job';
  /** The Job's pod template: Baton runs the first container's command + args as a process. */
  template: PodTemplateSpec;
  backoffLimit: number;
  activeDeadlineSeconds?: number;
}

/** A provider Argo knows but Baton does not run (datadog, newRelic, ...): a run Error. */
export interface UnsupportedProvider {
  type: 'unsupported';
  name: string;
  raw: unknown;
}

export type MetricProviderSpec = PrometheusProvider | WebProvider | JobProvider | JudgeProvider | SequentialProvider | UnsupportedProvider;

export interface MetricSpec {
  name: string;
  /** Go duration string as written (may hold `{{args.x}}`), e.g. "30s". */
  interval?: string;
  initialDelay?: string;
  count?: IntOrString;
  successCondition?: string;
  failureCondition?: string;
  /** Default 0; -1 disables. */
  failureLimit?: IntOrString;
  /** Default 0. */
  inconclusiveLimit?: IntOrString;
  /** Default 4. */
  consecutiveErrorLimit?: IntOrString;
  /** Default 0 (off). */
  consecutiveSuccessLimit?: IntOrString;
  /**
   * The provider block. `providers` lists every provider key that was written, so the analysis
   * core can report "zero or several providers" as a run Error, as Argo does.
   */
  provider?: MetricProviderSpec;
  providerKeys: string[];
}

export interface TemplateArgument {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string }; fieldRef?: { fieldPath: string } };
}

export interface AnalysisTemplateSpec {
  metrics: MetricSpec[];
  args: TemplateArgument[];
  dryRun: DryRun[];
  measurementRetention: MeasurementRetention[];
}

export interface AnalysisTemplate extends ManifestBase<'AnalysisTemplate'> {
  spec: AnalysisTemplateSpec;
}

export interface ClusterAnalysisTemplate extends ManifestBase<'ClusterAnalysisTemplate'> {
  spec: AnalysisTemplateSpec;
}

// ---------------------------------------------------------------------------------------------
// Istio
// ---------------------------------------------------------------------------------------------

export interface IstioDestination {
  host: string;
  subset?: string;
  port?: { number?: number; name?: string };
}

export interface IstioRouteDestination {
  destination: IstioDestination;
  /** Istio treats a missing weight on a single destination as 100. */
  weight?: number;
}

export interface IstioHttpMatch {
  name?: string;
  uri?: StringMatch;
  scheme?: StringMatch;
  method?: StringMatch;
  authority?: StringMatch;
  headers?: Record<string, StringMatch>;
  queryParams?: Record<string, StringMatch>;
  ignoreUriCase?: boolean;
}

export interface IstioHttpRoute {
  name?: string;
  match: IstioHttpMatch[];
  route: IstioRouteDestination[];
  rewrite?: { uri?: string; authority?: string };
  /** Seconds. */
  timeout?: number;
  mirror?: IstioDestination;
  mirrorPercentage?: { value: number };
  retries?: Record<string, unknown>;
  headers?: Record<string, unknown>;
}

export interface VirtualService extends ManifestBase<'VirtualService'> {
  spec: {
    hosts: string[];
    gateways: string[];
    http: IstioHttpRoute[];
    /** tls/tcp routes as written. */
    tls: unknown[];
    tcp: unknown[];
  };
}

export interface DestinationRule extends ManifestBase<'DestinationRule'> {
  spec: {
    host: string;
    subsets: { name: string; labels: Record<string, string> }[];
    trafficPolicy?: Record<string, unknown>;
  };
}

export interface IstioGateway extends ManifestBase<'Gateway'> {
  spec: {
    selector: Record<string, string>;
    servers: { port: { number: number; name?: string; protocol: string }; hosts: string[] }[];
  };
}

// ---------------------------------------------------------------------------------------------
// The set of manifests a command works on
// ---------------------------------------------------------------------------------------------

export type Manifest =
  | Rollout
  | AnalysisTemplate
  | ClusterAnalysisTemplate
  | Service
  | Deployment
  | VirtualService
  | DestinationRule
  | IstioGateway;

export type ManifestKind = Manifest['kind'];

/** Everything loaded from a set of files, by kind, each list in file order. */
export interface ManifestSet {
  rollouts: Rollout[];
  analysisTemplates: AnalysisTemplate[];
  clusterAnalysisTemplates: ClusterAnalysisTemplate[];
  services: Service[];
  deployments: Deployment[];
  virtualServices: VirtualService[];
  destinationRules: DestinationRule[];
  gateways: IstioGateway[];
  /** v1 Secrets given with the manifests (AnalysisTemplate `valueFrom.secretKeyRef`). */
  secrets?: Secret[];
  /** `baton.dev/*` documents (Baton's own kinds), kept raw for the modules that read them. */
  extensions?: BatonResource[];
}

/** A `baton.dev/*` document as written; its own module gives it meaning. */
export interface BatonResource {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  spec: unknown;
  source: SourceLocation;
}
