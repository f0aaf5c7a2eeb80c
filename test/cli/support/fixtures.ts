/**
 * What the fake controller serves: a canary Rollout paused at its second step with an analysis
 * run, and a Deployment. Shapes from src/api/types.ts.
 */
import type { ControllerStatus, EventView, HistoryEntry, LogsResult, WorkloadDetail } from '../../../src/api/types.js';

/** Wall-clock start of the fixture's pods: ten minutes before the test starts (`10m` in AGE). */
export const PODS_STARTED = Date.now() - 10 * 60_000;
/** Engine-clock times for events and history: 2026-01-02T03:04:05Z. */
export const ENGINE_T0 = Date.UTC(2026, 0, 2, 3, 4, 5);

export function frontendDetail(): WorkloadDetail {
  return {
    kind: 'Rollout',
    name: 'frontend',
    namespace: 'tbyte',
    phase: 'Paused',
    message: 'CanaryPauseStep',
    step: '1/9',
    strategy: 'canary',
    canaryWeight: 10,
    desired: 3,
    current: 4,
    updated: 1,
    ready: 4,
    available: 4,
    stableImage: 'tbyte/frontend:v1',
    currentImage: 'tbyte/frontend:v2',
    stableRevision: 1,
    currentRevision: 2,
    aborted: false,
    paused: false,
    steps: ['setWeight: 10', 'pause: {}', 'analysis', 'setWeight: 25'],
    stepIndex: 1,
    timeScale: 0.1,
    schema: [
      { schemaMigration: 'tbyte/users-db', migration: '0000_init', phase: 'expand', state: 'done', revision: 1, at: ENGINE_T0 },
      { schemaMigration: 'tbyte/users-db', migration: '0001_email_verified', phase: 'backfill', state: 'done', revision: 2, at: ENGINE_T0 + 1000 },
      { schemaMigration: 'tbyte/users-db', migration: '0002_drop_legacy', phase: 'contract', state: 'skipped', revision: 2, at: ENGINE_T0 + 2000, message: 'the rollout was aborted' },
    ],
    revisions: [
      {
        revision: 1,
        hash: '687d76d795',
        image: 'tbyte/frontend:v1',
        roles: ['stable'],
        weight: 90,
        replicas: 3,
        ready: 3,
        available: 3,
        pods: [0, 1, 2].map((i) => ({
          name: `frontend-687d76d795-a${i}b${i}c`,
          revision: 1,
          hash: '687d76d795',
          phase: 'Running',
          ready: true,
          restarts: i === 2 ? 1 : 0,
          pid: 4100 + i,
          address: `127.0.0.1:4100${i}`,
          startedAt: PODS_STARTED,
        })),
      },
      {
        revision: 2,
        hash: '6cf78c66c5',
        image: 'tbyte/frontend:v2',
        roles: ['canary'],
        weight: 10,
        replicas: 1,
        ready: 1,
        available: 1,
        pods: [{ name: 'frontend-6cf78c66c5-hxm4b', revision: 2, hash: '6cf78c66c5', phase: 'Running', ready: true, restarts: 0, pid: 4200, address: '127.0.0.1:42000', startedAt: PODS_STARTED }],
      },
    ],
    analysisRuns: [
      {
        name: 'frontend-6cf78c66c5-2-0',
        kind: 'background',
        phase: 'Running',
        startedAt: ENGINE_T0,
        metrics: [
          {
            name: 'error-rate',
            phase: 'Running',
            provider: 'prometheus',
            address: 'http://prometheus.monitoring:9090',
            queriedAddress: 'http://127.0.0.1:7070/prometheus',
            successful: 2,
            failed: 0,
            inconclusive: 0,
            error: 1,
            count: 3,
            measurements: [
              { phase: 'Successful', value: '[0.01]' },
              { phase: 'Successful', value: '[0.02]' },
              { phase: 'Error', message: 'no data returned' },
            ],
          },
          { name: 'smoke', phase: 'Successful', provider: 'web', successful: 1, failed: 0, inconclusive: 0, error: 0, count: 1, measurements: [{ phase: 'Successful', value: '200' }] },
        ],
      },
    ],
  };
}

export function backendDetail(): WorkloadDetail {
  return {
    kind: 'Deployment',
    name: 'backend',
    namespace: 'tbyte',
    phase: 'Healthy',
    message: '',
    strategy: 'RollingUpdate',
    canaryWeight: 0,
    desired: 2,
    current: 2,
    updated: 2,
    ready: 2,
    available: 2,
    stableImage: 'tbyte/backend:v1',
    currentImage: 'tbyte/backend:v1',
    stableRevision: 1,
    currentRevision: 1,
    aborted: false,
    paused: false,
    steps: [],
    timeScale: 0.1,
    revisions: [
      {
        revision: 1,
        hash: '5d8f9c7b6',
        image: 'tbyte/backend:v1',
        roles: ['stable'],
        replicas: 2,
        ready: 2,
        available: 2,
        pods: [0, 1].map((i) => ({ name: `backend-5d8f9c7b6-x${i}y${i}z`, revision: 1, hash: '5d8f9c7b6', phase: 'Running', ready: true, restarts: 0, pid: 4300 + i, address: `127.0.0.1:4300${i}`, startedAt: PODS_STARTED })),
      },
    ],
    analysisRuns: [],
  };
}

export function controllerStatus(api: string): ControllerStatus {
  return {
    pid: process.pid,
    version: '0.1.0',
    stateDir: '/tmp/state',
    api,
    gateway: 'http://127.0.0.1:8080',
    gatewayAdmin: 'http://127.0.0.1:8081',
    prometheus: `${api}/prometheus`,
    timeScale: 0.1,
    startedAt: ENGINE_T0,
    generation: 3,
    addressMap: { 'http://prometheus.monitoring:9090': `${api}/prometheus` },
    databases: [],
  };
}

export function history(): Record<string, HistoryEntry[]> {
  return {
    frontend: [
      { revision: 2, hash: '6cf78c66c5', image: 'tbyte/frontend:v2', createdAt: ENGINE_T0 + 60_000, roles: ['canary'] },
      { revision: 1, hash: '687d76d795', image: 'tbyte/frontend:v1', createdAt: ENGINE_T0, roles: ['stable'] },
    ],
    backend: [{ revision: 1, hash: '5d8f9c7b6', image: 'tbyte/backend:v1', createdAt: ENGINE_T0, roles: ['stable'] }],
  };
}

export function initialEvents(): EventView[] {
  return [
    { id: 1, at: ENGINE_T0, workload: 'backend', type: 'RevisionCreated', message: 'revision 1 (5d8f9c7b6)', fields: { revision: 1 } },
    { id: 2, at: ENGINE_T0 + 60_000, workload: 'frontend', type: 'RevisionCreated', message: 'revision 2 (6cf78c66c5)', fields: { revision: 2 } },
    { id: 3, at: ENGINE_T0 + 61_000, workload: 'frontend', type: 'Paused', message: 'CanaryPauseStep', fields: {} },
  ];
}

/** Log files by workload; pods named as in the details above. */
export function logFiles(): Record<string, LogsResult['files']> {
  return {
    frontend: [
      { pod: 'frontend-687d76d795-a0b0c', path: '/tmp/state/logs/frontend-687d76d795-a0b0c.log', text: 'listening on 41000\nGET / 200\nGET /api/users 200\n' },
      { pod: 'frontend-6cf78c66c5-hxm4b', path: '/tmp/state/logs/frontend-6cf78c66c5-hxm4b.log', text: 'listening on 42000\nGET / 200\n' },
    ],
    backend: [],
  };
}
