/**
 * The rollout state machines' data: persisted state, what the workloads report, the effects the
 * engine carries out, and the status shown to people.
 *
 * Everything here is plain JSON so the engine can persist the state after every reconcile and
 * resume after a crash. Times are milliseconds on the engine's clock (virtual in `baton simulate`).
 * Field names follow Argo Rollouts' `RolloutStatus` (`pkg/apis/rollouts/v1alpha1/types.go`) where
 * there is one.
 */
import type {
  HeaderRoutingMatch,
  PodTemplateSpec,
  RolloutAnalysis,
  RouteMatch,
} from '../spec/types.js';

/** One pod-template revision (Argo: one ReplicaSet with its `rollout.argoproj.io/revision`). */
export interface RevisionInfo {
  /** 1, 2, ...; a template that comes back (undo) gets the next number, as Argo renumbers it. */
  revision: number;
  /** `podTemplateHash(template)`. */
  hash: string;
  template: PodTemplateSpec;
  createdAt: number;
}

/** Argo's `PauseReason`s. Argo names the analysis one `InconclusiveAnalysisRun`. */
export type PauseReason = 'CanaryPauseStep' | 'BlueGreenPause' | 'InconclusiveAnalysisRun' | 'InconclusiveAnalysis' | 'InconclusiveExperiment';

/**
 * A revision the rollout runs for a while beside stable and canary: the baseline (stable
 * template, fresh pods) or an experiment step's template. It has its own pod-template hash (the
 * copy carries `baton.dev/role` and `BATON_ROLE`), so its pods, traffic and metrics are told apart.
 */
export interface TemporaryRevision {
  /** `baseline`, or the experiment template's name. */
  name: string;
  /** The `role` its gateway cluster and metrics carry (`baseline`, or the template's name). */
  role: string;
  owner: 'baseline' | 'experiment';
  hash: string;
  template: PodTemplateSpec;
  /** The revision number of the template it copies. */
  revision: number;
  /** Replicas asked of it now; it is forgotten once 0 and no pod is left. */
  replicas: number;
  createdAt: number;
}

/** Argo `TemplateStatusCode`. */
export type ExperimentTemplatePhase = 'Progressing' | 'Running' | 'Successful' | 'Failed' | 'Error';

/** The experiment of the current experiment step: Argo's `Experiment` status, kept in the rollout's state. */
export interface ExperimentState {
  /** `<rollout>-<hash>-<revision>-<stepIndex>`, as Argo names it. */
  name: string;
  stepIndex: number;
  /** The canary hash it was started for. */
  hash: string;
  /** Argo `ExperimentStatus.phase`. */
  phase: AnalysisRunPhase;
  message?: string;
  /** When every template was first available; the duration counts from here. */
  availableAt?: number;
  templates: { name: string; hash: string; phase: ExperimentTemplatePhase; message?: string; since: number }[];
  /** One per `analyses[]` entry; `run` once started. */
  analyses: { name: string; run?: string; phase?: AnalysisRunPhase; message?: string }[];
}

export interface PauseCondition {
  reason: PauseReason;
  startTime: number;
}

/** Why a rollout owns an AnalysisRun (Argo's `rollout-type` label). */
export type AnalysisRunKind = 'Step' | 'Background' | 'PrePromotion' | 'PostPromotion';

/** An AnalysisRun this rollout started and still tracks. */
export interface OwnedAnalysisRun {
  name: string;
  kind: AnalysisRunKind;
  /** Step runs: the step they belong to. */
  stepIndex?: number;
  /** The revision the run judges. */
  hash: string;
  /** The run came back Inconclusive and the rollout paused for it; a resume starts a new run. */
  pausedOnInconclusive?: boolean;
}

/** Persisted after every reconcile. Start with {@link initialRolloutState}. */
export interface RolloutState {
  /** History, oldest first. */
  revisions: RevisionInfo[];
  /** Argo `status.stableRS`. */
  stableHash?: string;
  /** Argo `status.currentPodHash`: the revision of the current spec template. */
  currentHash?: string;
  /** Hash of the canary steps, so a change of steps restarts them (Argo `currentStepHash`). */
  stepsHash?: string;
  currentStepIndex?: number;
  /** When the current step was entered. */
  stepStartedAt?: number;
  /** Argo `spec.paused`, set by the pause action and cleared by promote/resume. */
  paused: boolean;
  /** `spec.paused` of the manifest as last seen: a change there is copied into `paused`. */
  specPaused?: boolean;
  pauseConditions: PauseCondition[];
  /** Argo `status.controllerPause`: the controller paused, and has not yet seen the pause end. */
  controllerPause: boolean;
  aborted: boolean;
  abortedAt?: number;
  /** The reason after `Rollout aborted update to revision N: `. */
  abortMessage?: string;
  promoteFull: boolean;
  /** The canary weight last set on the router (0 when no traffic routing). */
  canaryWeight: number;
  /** Blue/green: the hash the active / preview Service selects. */
  activeHash?: string;
  previewHash?: string;
  /** Runs this rollout owns and their purpose. */
  analysisRuns: OwnedAnalysisRun[];
  /** Every run name used so far, so a retry gets `<name>.1`, `<name>.2` as Argo's collision counter does. */
  usedRunNames: string[];
  /** Delayed scale-downs by hash (old stable, old active, aborted canary): when they are due. */
  scaleDownAt: Record<string, number>;
  /** The replica count last asked of each revision (Argo: the ReplicaSet's `spec.replicas`). */
  desiredReplicas: Record<string, number>;
  /** The hash each canary/stable Service selects, as last set. */
  serviceSelectors: Record<string, string | undefined>;
  /** Managed routes (header/mirror) currently set on the router. */
  managedRoutes: string[];
  /** The step index whose header/mirror route was last applied, so it is applied once. */
  routeStepApplied?: number;
  /** Blue/green: the pause before promotion has been passed for the current revision. */
  blueGreenPauseDone: boolean;
  /** Blue/green: previewReplicaCount has been lifted to full scale (Argo `scaleUpPreviewCheckPoint`). */
  scaleUpPreviewCheckPoint: boolean;
  /** Last time progress was seen (Argo: the Progressing condition's lastUpdateTime). */
  progressAt?: number;
  /** Counts from the last reconcile, to see progress. */
  progressMarker?: string;
  /** `ProgressDeadlineExceeded` has been reached for the current revision. */
  timedOut: boolean;
  /** Baseline and experiment revisions (absent in states saved before they existed). */
  temporaryRevisions?: TemporaryRevision[];
  /** The experiment of the current (or last) experiment step. */
  experiment?: ExperimentState;
  /** The extra weights last set on the router (baseline, weighted experiment templates). */
  additionalWeights?: WeightDestination[];
}

/** Argo `WeightDestination`: a share of traffic for a revision beside stable and canary. */
export interface WeightDestination {
  name: string;
  hash: string;
  role: string;
  weight: number;
}

export interface ObservedRevision {
  hash: string;
  /** Pods that exist (Argo `status.replicas`). */
  replicas: number;
  readyReplicas: number;
  availableReplicas: number;
}

export type AnalysisRunPhase = 'Pending' | 'Running' | 'Successful' | 'Failed' | 'Error' | 'Inconclusive';

export interface Observed {
  /** What the workloads report now; a revision not listed has no pods. */
  revisions: ObservedRevision[];
  /** By run name; a run not listed yet counts as Pending. */
  analysisRuns: Record<string, { phase: AnalysisRunPhase; message?: string }>;
  /** The router reports the last weight applied. Default true. */
  trafficWeightVerified?: boolean;
}

/** Service roles the rollout points at revisions. */
export type ServiceRole = 'stable' | 'canary' | 'active' | 'preview';

export type RolloutEvent =
  | { type: 'WeightChanged'; canary: number; stable: number }
  /** `index` is 0-based; `step` as Argo prints it (`setWeight: 10`, `pause: 30s`). */
  | { type: 'StepStarted'; index: number; step: string }
  | { type: 'StepCompleted'; index: number; step: string }
  /** Not emitted by the core: the engine reports it when it creates the run. */
  | { type: 'AnalysisRunStarted'; run: string; kind: AnalysisRunKind }
  | { type: 'Paused'; reason: string }
  | { type: 'Resumed' }
  /** `message`: why (the analysis message, or the person's reason); `revision`: the update aborted. */
  | { type: 'Aborted'; message: string; revision: number }
  /** An abort on a fully promoted rollout was removed: there was no update to abort (Argo does the same). */
  | { type: 'AbortCleared'; message: string }
  | { type: 'Retried' }
  | { type: 'Promoted'; revision: number; reason: string }
  | { type: 'ActiveSwitched'; revision: number }
  | { type: 'PreviewSwitched'; revision: number }
  | { type: 'RevisionCreated'; revision: number; hash: string }
  /** `revision`: the revision's number, so people need not match hashes. */
  | { type: 'ScaledDown'; hash: string; revision: number }
  | { type: 'ProgressDeadlineExceeded'; message: string }
  | { type: 'RolledBackToStable'; revision: number }
  | { type: 'ExperimentCreated'; experiment: string }
  /** The experiment's phase changed (Argo's `Experiment` events). */
  | { type: 'ExperimentPhase'; experiment: string; phase: AnalysisRunPhase; message: string };

export type Effect =
  | { type: 'scaleRevision'; hash: string; replicas: number }
  /** Traffic routing only: the router's split. */
  | {
      type: 'setWeight';
      canaryHash?: string;
      stableHash?: string;
      canary: number;
      stable: number;
      /** Baseline and weighted experiment templates, taken from the stable's share (Argo weightDestinations). */
      additional?: WeightDestination[];
    }
  /** Run `replicas` pods of a baseline or experiment revision (0 stops them). */
  | { type: 'scaleTemporaryRevision'; revision: TemporaryRevision; replicas: number }
  | { type: 'setHeaderRoute'; name: string; match: HeaderRoutingMatch[] }
  | { type: 'setMirrorRoute'; name: string; match: RouteMatch[]; percentage: number }
  | { type: 'removeManagedRoutes'; names: string[] }
  | { type: 'setServiceSelector'; role: ServiceRole; service: string; hash: string | undefined }
  | {
      type: 'startAnalysisRun';
      name: string;
      kind: AnalysisRunKind;
      analysis: RolloutAnalysis;
      hash: string;
      stepIndex?: number;
      /** Resolved from value, `valueFrom.podTemplateHashValue` and `valueFrom.fieldRef`; undefined when unresolved. */
      args: { name: string; value?: string }[];
    }
  | { type: 'terminateAnalysisRun'; name: string }
  /** A revision beyond `revisionHistoryLimit`, already scaled to 0. */
  | { type: 'deleteRevision'; hash: string }
  | { type: 'event'; event: RolloutEvent };

export type RolloutPhase = 'Healthy' | 'Progressing' | 'Paused' | 'Degraded';

export interface RolloutStatus {
  phase: RolloutPhase;
  /** As Argo words it: `CanaryPauseStep`, `RolloutAborted: Rollout aborted update to revision 2: ...`. */
  message: string;
  stepIndex?: number;
  stepCount: number;
  canaryWeight: number;
  stableRevision?: number;
  currentRevision?: number;
  aborted: boolean;
  /** Argo status counts: all pods, pods of the current revision, available pods. */
  replicas: number;
  updatedReplicas: number;
  availableReplicas: number;
}

export interface ReconcileInput {
  rollout: import('../spec/types.js').Rollout;
  state: RolloutState;
  observed: Observed;
  now: number;
}

export interface ReconcileResult {
  state: RolloutState;
  effects: Effect[];
  status: RolloutStatus;
  /** The next time anything time-based is due; `<= now` means reconcile again at once. */
  wakeAt?: number;
}

/** What a person does (`kubectl argo rollouts` verbs). */
export type RolloutAction =
  | { type: 'promote' }
  | { type: 'promote-full' }
  | { type: 'abort'; reason?: string }
  | { type: 'retry' }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'undo'; toRevision?: number };

/** A fresh rollout that has never been reconciled. */
export function initialRolloutState(): RolloutState {
  return {
    revisions: [],
    paused: false,
    pauseConditions: [],
    controllerPause: false,
    aborted: false,
    promoteFull: false,
    canaryWeight: 0,
    analysisRuns: [],
    usedRunNames: [],
    scaleDownAt: {},
    desiredReplicas: {},
    serviceSelectors: {},
    managedRoutes: [],
    blueGreenPauseDone: false,
    scaleUpPreviewCheckPoint: false,
    timedOut: false,
  };
}
