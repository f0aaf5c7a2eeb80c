/**
 * The read verbs (`list`, `get`, `history`, `logs`, `events`) against a fake controller on a real
 * socket, run as `node bin/baton.js`: their text, and `-o json` printing the API's JSON as is.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { baton, useFakeController } from './support/cli.js';

const s = useFakeController(beforeAll, afterAll);

const run = (args: string[]) => baton([...args, ...s.at], { cwd: s.ws.cwd });

describe('baton list', () => {
  it('prints one line per workload, with the token from the state dir', async () => {
    const r = await run(['list']);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toBe(
      [
        'NAME       KIND         STRATEGY        STATUS    STEP   WEIGHT   READY   UP-TO-DATE   AVAILABLE   IMAGE',
        'backend    Deployment   RollingUpdate   Healthy   -      -        2/2     2            2           tbyte/backend:v1',
        'frontend   Rollout      Canary          Paused    1/9    10       4/3     1            4           tbyte/frontend:v2 (stable tbyte/frontend:v1)',
        '',
      ].join('\n'),
    );
    expect(s.controller.requests.at(-1)).toMatchObject({ method: 'GET', path: '/api/v1/workloads', authorization: `Bearer ${s.controller.token}` });
  });

  it('-o json prints the API JSON as is', async () => {
    const r = await run(['list', '-o', 'json']);
    expect(r.code).toBe(0);
    const body = JSON.parse(r.stdout) as { name: string }[];
    expect(body.map((w) => w.name)).toEqual(['backend', 'frontend']);
    expect(r.stdout).toBe(`${JSON.stringify(body, null, 2)}\n`);
  });

  it('-o yaml prints the same answer as YAML', async () => {
    const [json, yaml] = await Promise.all([run(['list', '-o', 'json']), run(['list', '-o', 'yaml'])]);
    expect(yaml.code).toBe(0);
    expect(yaml.stdout).toMatch(/^- kind: Deployment\n {2}name: backend\n/);
    expect(parseYaml(yaml.stdout)).toEqual(JSON.parse(json.stdout));
  });

  it('refuses an output format other than json or yaml as bad usage', async () => {
    const r = await run(['list', '-o', 'xml']);
    expect(r.code).toBe(64);
    expect(r.stderr).toBe("baton: option '-o, --output <format>' argument 'xml' is invalid. Allowed choices are json, yaml.\n");
  });
});

describe('baton get', () => {
  it('prints the rollout as a tree: header, revisions, pods, analysis runs and metrics', async () => {
    const r = await run(['get', 'rollout', 'frontend']);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toBe(`Name:            frontend
Namespace:       tbyte
Status:          ॥ Paused
Message:         CanaryPauseStep
Strategy:        Canary
  Step:          1/9  (pause: {})
  SetWeight:     10
  ActualWeight:  10
Images:          tbyte/frontend:v2 (canary)
                 tbyte/frontend:v1 (stable)
Replicas:
  Desired:       3
  Current:       4
  Updated:       1
  Ready:         4
  Available:     4
Time scale:      0.1 (pauses, intervals and delays last 0.1x their written time)
Schema:
  SCHEMAMIGRATION   MIGRATION             STEP       STATE     REVISION
  tbyte/users-db    0000_init             expand     done      1
  tbyte/users-db    0001_email_verified   backfill   done      2
  tbyte/users-db    0002_drop_legacy      contract   skipped   2
  0002_drop_legacy: the rollout was aborted

NAME                                   KIND                  STATUS         AGE   INFO
⟳ frontend                             Rollout               ॥ Paused
├──# revision:2
│  ├──⧉ frontend-6cf78c66c5            ReplicaSet            ✔ Healthy            canary weight:10% ready:1/1
│  │  └──□ frontend-6cf78c66c5-hxm4b   Pod                   ✔ Running      10m   ready:1/1 restarts:0 pid:4200 127.0.0.1:42000
│  └──α frontend-6cf78c66c5-2-0        AnalysisRun           ◌ Running            background
│     ├──error-rate                    Metric (prometheus)   ◌ Running            ✔ 2 ✖ 0 ? 0 ⚠ 1 (3 measured) last: [0.01] [0.02] Error (no data returned)
│     │  └──prometheus                                                            http://prometheus.monitoring:9090 -> queried at http://127.0.0.1:7070/prometheus
│     └──smoke                         Metric (web)          ✔ Successful         ✔ 1 ✖ 0 ? 0 ⚠ 0 (1 measured) last: 200
└──# revision:1
   └──⧉ frontend-687d76d795            ReplicaSet            ✔ Healthy            stable weight:90% ready:3/3
      ├──□ frontend-687d76d795-a0b0c   Pod                   ✔ Running      10m   ready:1/1 restarts:0 pid:4100 127.0.0.1:41000
      ├──□ frontend-687d76d795-a1b1c   Pod                   ✔ Running      10m   ready:1/1 restarts:0 pid:4101 127.0.0.1:41001
      └──□ frontend-687d76d795-a2b2c   Pod                   ✔ Running      10m   ready:1/1 restarts:1 pid:4102 127.0.0.1:41002
`);
  });

  it('accepts `get deployment NAME` and `get NAME`; -o json prints the detail as is', async () => {
    const dep = await run(['get', 'deployment', 'backend']);
    expect(dep.code).toBe(0);
    expect(dep.stdout).toContain('Status:          ✔ Healthy\nStrategy:        RollingUpdate\nImages:          tbyte/backend:v1 (stable)\n');
    expect(dep.stdout).not.toContain('SetWeight');
    const bare = await run(['get', 'backend']);
    expect(bare.stdout).toBe(dep.stdout);
    const json = await run(['get', 'frontend', '-o', 'json']);
    expect(json.code).toBe(0);
    const body = JSON.parse(json.stdout) as { name: string; revisions: unknown[] };
    expect(body).toMatchObject({ kind: 'Rollout', name: 'frontend', stepIndex: 1 });
    expect(body.revisions).toHaveLength(2);
    expect(json.stdout).toBe(`${JSON.stringify(body, null, 2)}\n`);
  });

  it('names a kind that does not match, an unknown kind, and a workload that does not exist', async () => {
    const wrongKind = await run(['get', 'rollout', 'backend']);
    expect(wrongKind).toMatchObject({ code: 1, stdout: '' });
    expect(wrongKind.stderr).toBe('baton: "backend" is a Deployment, not a Rollout: use `baton get deployment backend`\n');
    const unknownKind = await run(['get', 'pods', 'backend']);
    expect(unknownKind.code).toBe(64);
    expect(unknownKind.stderr).toContain('unknown kind "pods"');
    const missing = await run(['get', 'nope']);
    expect(missing).toMatchObject({ code: 1, stdout: '', stderr: 'baton: workload "nope" not found (baton list shows what runs)\n' });
  });
});

describe('baton history', () => {
  it('lists revisions oldest first; -o json as the API answered', async () => {
    const r = await run(['history', 'frontend']);
    expect(r).toEqual({
      code: 0,
      stderr: '',
      stdout: [
        'REVISION   IMAGE               HASH         CREATED                ROLE',
        '1          tbyte/frontend:v1   687d76d795   2026-01-02T03:04:05Z   stable',
        '2          tbyte/frontend:v2   6cf78c66c5   2026-01-02T03:05:05Z   canary',
        '',
      ].join('\n'),
    });
    const json = await run(['history', 'frontend', '-o', 'json']);
    expect((JSON.parse(json.stdout) as { revision: number }[]).map((e) => e.revision)).toEqual([2, 1]);
  });
});

describe('baton logs', () => {
  it('prefixes each file with its pod when there are several, and passes --revision, --pod, --tail', async () => {
    const all = await run(['logs', 'frontend']);
    expect(all).toEqual({
      code: 0,
      stderr: '',
      stdout: '==> frontend-687d76d795-a0b0c <==\nlistening on 41000\nGET / 200\nGET /api/users 200\n\n==> frontend-6cf78c66c5-hxm4b <==\nlistening on 42000\nGET / 200\n',
    });
    const one = await run(['logs', 'frontend', '--revision', '1', '--tail', '2']);
    expect(one).toEqual({ code: 0, stderr: '', stdout: 'GET / 200\nGET /api/users 200\n' });
    expect(s.controller.requests.at(-1)).toMatchObject({ path: '/api/v1/logs', query: { workload: 'frontend', revision: '1', tail: '2' } });
    const pod = await run(['logs', 'frontend', '--pod', 'frontend-6cf78c66c5-hxm4b', '-o', 'json']);
    expect(JSON.parse(pod.stdout)).toEqual({ files: [{ pod: 'frontend-6cf78c66c5-hxm4b', path: '/tmp/state/logs/frontend-6cf78c66c5-hxm4b.log', text: 'listening on 42000\nGET / 200\n' }] });
  });

  it('says when there are no logs, and refuses a --tail that is not a number', async () => {
    const none = await run(['logs', 'backend']);
    expect(none).toEqual({ code: 0, stdout: '', stderr: 'baton: no log files for "backend"\n' });
    const bad = await run(['logs', 'frontend', '--tail', 'ten']);
    expect(bad.code).toBe(64);
    expect(bad.stderr).toContain('--tail must be a whole number from 1 up, not "ten"');
  });
});

describe('baton events', () => {
  it('prints one line per event: time, workload, type, message', async () => {
    const r = await run(['events']);
    expect(r).toEqual({
      code: 0,
      stderr: '',
      stdout: [
        '2026-01-02T03:04:05Z  backend   RevisionCreated  revision 1 (5d8f9c7b6)',
        '2026-01-02T03:05:05Z  frontend  RevisionCreated  revision 2 (6cf78c66c5)',
        '2026-01-02T03:05:06Z  frontend  Paused           CanaryPauseStep',
        '',
      ].join('\n'),
    });
  });

  it('filters by workload, passes --limit, and prints the page as JSON with -o json', async () => {
    const r = await run(['events', 'frontend', '--limit', '1']);
    expect(r.stdout).toBe('2026-01-02T03:05:06Z  frontend  Paused  CanaryPauseStep\n');
    expect(s.controller.requests.at(-1)).toMatchObject({ path: '/api/v1/events', query: { workload: 'frontend', limit: '1' } });
    const json = await run(['events', 'backend', '-o', 'json']);
    expect(JSON.parse(json.stdout)).toEqual({ events: [{ id: 1, at: Date.UTC(2026, 0, 2, 3, 4, 5), workload: 'backend', type: 'RevisionCreated', message: 'revision 1 (5d8f9c7b6)', fields: { revision: 1 } }], lastId: 1 });
  });
});
