/** Pods as local processes: the single-host `Workloads` (docs/local-runtime.md). */
export {
  createProcessSupervisor,
  type PodInfo,
  type PodPhase,
  type ProcessRevisionWorkload,
  type ProcessSupervisor,
  type ProcessSupervisorOptions,
} from './supervisor.js';
export { restartDelayMs } from './backoff.js';
export { formatPodReadyMetrics, type PodReadySample } from './pod-ready-metrics.js';
export { pickFreePort, spawnDetached } from './pod-process.js';
export { isSameProcessAlive, livePodRecords, processStartTime, signalGroup, type PodRecord } from './pod-record.js';
