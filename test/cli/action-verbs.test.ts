/**
 * The verbs that change things (`apply`, `promote`, `abort`, `retry`, `pause`, `resume`, `undo`,
 * `restart`, `set image`) against a fake controller on a real socket: what they send, the line
 * they print, `-o json`, the controller's error bodies, and apply's local lint.
 */
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { baton, useFakeController } from './support/cli.js';

const s = useFakeController(beforeAll, afterAll);

const run = (args: string[]) => baton([...args, ...s.at], { cwd: s.ws.cwd });
const GOOD = resolve('test/cli/fixtures/good');
const BAD = resolve('test/cli/fixtures/bad/multi-error.yaml');

describe('baton apply', () => {
  it('sends absolute paths and texts, prints the generation and the warnings; the same set again is unchanged', async () => {
    const first = await run(['apply', '-f', GOOD]);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toBe(`applied generation 4\nwarning: ${GOOD}/analysis.yaml:1 kind: ConfigMap (v1) is not a kind Baton reads; it is ignored\n`);
    const sent = s.controller.requests.at(-1);
    expect(sent).toMatchObject({ method: 'POST', path: '/api/v1/apply' });
    const files = (sent?.body as { files: { path: string; text: string }[] }).files;
    expect(files.map((f) => f.path)).toEqual(['analysis.yaml', 'rollout.yaml', 'services.yaml', 'virtualservice.yaml'].map((f) => `${GOOD}/${f}`));
    expect(files[1]?.text).toContain('kind: Rollout');

    // Another spelling of the same directory sends the same absolute paths.
    const again = await run(['apply', '-f', `${GOOD}/../good/`, '-o', 'json']);
    expect(JSON.parse(again.stdout)).toMatchObject({ generation: 4, changed: false });
    const text = await run(['apply', '-f', GOOD]);
    expect(text.stdout.split('\n')[0]).toBe('unchanged (generation 4)');
  });

  it('refuses invalid manifests here, as lint prints them, exit 64, nothing sent', async () => {
    const before = s.controller.requests.length;
    const r = await run(['apply', '-f', BAD]);
    expect(r.code).toBe(64);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`${BAD}:25 spec.strategy.canary.steps[0].setWeight: SetWeight needs to be between 0 and 100 (120 is out of range)\n`);
    expect(r.stderr).toMatch(/baton: 18 errors: nothing applied\n$/);
    const missing = await run(['apply', '-f', 'no-such-dir']);
    expect(missing).toMatchObject({ code: 64, stdout: '', stderr: 'baton: no-such-dir: no such file or directory\n' });
    expect(s.controller.requests.length).toBe(before);
  });

  it('needs -f', async () => {
    const r = await run(['apply']);
    expect(r.code).toBe(64);
    expect(r.stderr).toContain("required option '-f, --filename <paths...>' not specified");
  });
});

describe('the action verbs', () => {
  const cases: [string[], Record<string, unknown>, string][] = [
    [['promote', 'frontend'], { action: 'promote' }, "rollout 'frontend' promoted"],
    [['promote', 'frontend', '--full'], { action: 'promote', full: true }, "rollout 'frontend' fully promoted"],
    [['pause', 'frontend'], { action: 'pause' }, "rollout 'frontend' paused"],
    [['resume', 'frontend'], { action: 'resume' }, "rollout 'frontend' resumed"],
    [['abort', 'frontend'], { action: 'abort' }, "rollout 'frontend' aborted"],
    [['retry', 'frontend'], { action: 'retry' }, "rollout 'frontend' retried"],
    [['undo', 'frontend', '--to-revision', '1'], { action: 'undo', toRevision: 1 }, "rollout 'frontend' undo to revision 1"],
    [['undo', 'frontend'], { action: 'undo' }, "rollout 'frontend' undo"],
    [['restart', 'backend'], { action: 'restart' }, "deployment 'backend' restarted"],
    [['set', 'image', 'frontend', 'frontend=tbyte/frontend:v3', 'sidecar=envoy:1.30'], { action: 'set-image', images: { frontend: 'tbyte/frontend:v3', sidecar: 'envoy:1.30' } }, "rollout 'frontend' image updated"],
  ];
  it.each(cases)('%j posts %j and prints one line', async (args, body, line) => {
    const r = await run(args);
    expect(r).toEqual({ code: 0, stdout: `${line}\n`, stderr: '' });
    const name = args[0] === 'set' ? args[2] : args[1];
    expect(s.controller.requests.at(-1)).toMatchObject({ method: 'POST', path: `/api/v1/workloads/${name}/actions`, authorization: `Bearer ${s.controller.token}` });
    expect(s.controller.requests.at(-1)?.body).toEqual(body);
  });

  it('-o json prints the returned detail', async () => {
    const r = await run(['pause', 'frontend', '-o', 'json']);
    expect(r.code).toBe(0);
    const detail = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(detail).toMatchObject({ name: 'frontend', phase: 'Paused', paused: true, message: 'manually paused' });
    expect(r.stdout).toBe(`${JSON.stringify(detail, null, 2)}\n`);
    const y = await run(['pause', 'frontend', '-o', 'yaml']);
    expect(y.code).toBe(0);
    expect(parseYaml(y.stdout)).toMatchObject({ name: 'frontend', phase: 'Paused', paused: true });
  });

  it("prints the controller's error message (exit 1)", async () => {
    const notRollout = await run(['promote', 'backend']);
    expect(notRollout).toEqual({ code: 1, stdout: '', stderr: 'baton: promote applies to Rollouts; "backend" is a Deployment\n' });
    const noRevision = await run(['undo', 'frontend', '--to-revision', '7']);
    expect(noRevision).toEqual({ code: 1, stdout: '', stderr: 'baton: revision 7 of "frontend" not found (baton history frontend lists them)\n' });
    const missing = await run(['abort', 'nope']);
    expect(missing).toEqual({ code: 1, stdout: '', stderr: 'baton: workload "nope" not found (baton list shows what runs)\n' });
  });

  it('refuses bad arguments as usage errors (64) without calling the controller', async () => {
    const before = s.controller.requests.length;
    const pair = await run(['set', 'image', 'frontend', 'tbyte/frontend:v3']);
    expect(pair.code).toBe(64);
    expect(pair.stderr).toContain('"tbyte/frontend:v3" is not CONTAINER=IMAGE (e.g. frontend=shop:v2)');
    const rev = await run(['undo', 'frontend', '--to-revision', 'two']);
    expect(rev.code).toBe(64);
    expect(rev.stderr).toContain('--to-revision must be a whole number from 1 up, not "two"');
    const noName = await run(['promote']);
    expect(noName.code).toBe(64);
    expect(noName.stderr).toContain("missing required argument 'name'");
    expect(s.controller.requests.length).toBe(before);
  });
});
