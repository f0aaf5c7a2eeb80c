/**
 * What a newcomer meets in the first hour with `baton` (issue 16, "The first hour"), each run as
 * `node bin/baton.js`: help and usage errors, `version`, durations on flags, `up --detach`
 * linting before it forks, a port in use naming its flag, `baton up | head` stopping everything,
 * the line that tells where the next verbs find the controller, and a stale `dist/`.
 */
import { createServer, type Server } from 'node:net';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { execFile } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Command } from 'commander';
import { registerCommands } from '../../src/cli/commands/index.js';
import { EXAMPLES, HELP_GROUPS, layOutHelp } from '../../src/cli/help.js';
import { startUp } from '../support/baton-up.js';
import { tempDir, waitFor } from '../support/net.js';
import { baton } from './support/cli.js';

const BAD = resolve('test/cli/fixtures/bad');
const GOOD = resolve('test/cli/fixtures/good');

let ws: { path: string; remove: () => Promise<void> };
beforeAll(async () => {
  ws = await tempDir('baton-first-hour-');
});
afterAll(async () => {
  await ws.remove();
});
const run = (args: string[]) => baton(args, { cwd: ws.path });

/** A verb's whole help, with the text added after it. */
function fullHelp(verb: Command): string {
  let out = '';
  verb.configureOutput({ writeOut: (text) => (out += text) });
  verb.outputHelp();
  return out;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('help and usage', () => {
  it('groups the verbs (run, inspect, act, offline) and gives every verb an Examples: block', async () => {
    const top = await run(['--help']);
    expect(top.code).toBe(0);
    const headings = Object.keys(HELP_GROUPS);
    const at = headings.map((h) => top.stdout.indexOf(`\n${h}\n`));
    expect(at.every((i) => i > 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    expect(top.stdout).not.toContain('\nCommands:\n');
    // One verb of each group through the binary; every verb through the same program in-process.
    for (const verb of ['up', 'get', 'promote', 'simulate']) {
      const h = await run(['help', verb]);
      expect(h.code, verb).toBe(0);
      expect(h.stdout, verb).toContain(`\nExamples:\n  ${EXAMPLES[verb]?.[0] ?? ''}\n`);
    }
    const program = new Command('baton');
    registerCommands(program);
    layOutHelp(program);
    const grouped = Object.values(HELP_GROUPS).flat();
    for (const verb of program.commands) {
      expect(grouped, verb.name()).toContain(verb.name());
      if (verb.name() !== 'controller') expect(fullHelp(verb), verb.name()).toContain('\nExamples:\n');
    }
  }, 60_000);

  it('an unknown verb or option is one line with "did you mean", exit 64', { timeout: 60_000 }, async () => {
    const [verb, option] = await Promise.all([run(['stauts', 'frontend']), run(['get', 'frontend', '--wacth'])]);
    expect(verb).toEqual({ code: 64, stdout: '', stderr: "baton: unknown command 'stauts' (did you mean status?)\n" });
    expect(option).toEqual({ code: 64, stdout: '', stderr: "baton: unknown option '--wacth' (did you mean --watch?)\n" });
  });

  it('`baton version` and `--version` print the version', async () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    expect(await run(['version'])).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: '' });
    expect((await run(['--version'])).stdout).toBe(`${pkg.version}\n`);
  });

  it('duration flags take 30s / 5m, and refuse a number without its unit (exit 64)', async () => {
    const [bare, words] = await Promise.all([run(['down', '--timeout', '30']), run(['up', '--scrape-interval', 'often'])]);
    expect(bare).toMatchObject({ code: 64, stderr: 'baton: option \'-t, --timeout <duration>\' argument \'30\' is invalid. --timeout "30" is not a duration of at least 1s (write it with its unit: 500ms, 30s, 5m, 1h)\n' });
    expect(words).toMatchObject({ code: 64, stderr: expect.stringContaining('--scrape-interval "often" is not a duration of at least 0.1s') as unknown });
  });
});

describe('baton up', () => {
  it('--detach lints the manifests before it forks: every problem printed, exit 64, nothing started', async () => {
    const state = join(ws.path, 'lint-state');
    const r = await run(['up', '--detach', '-f', BAD, '--state-dir', state]);
    expect(r.code).toBe(64);
    const problems = r.stderr.split('\n').filter((l) => l.startsWith(`${BAD}/multi-error.yaml:`));
    expect(problems.length).toBeGreaterThan(1);
    expect(r.stderr).toMatch(new RegExp(`baton up: the manifests have ${problems.length} error\\(s\\); nothing was started \\(\`baton lint\` checks them\\)\\n$`));
    expect(existsSync(state)).toBe(false);
  });

  it('a port in use names the flag that chooses it', async () => {
    const held: Server = createServer();
    await new Promise<void>((r) => held.listen(0, '127.0.0.1', r));
    const port = (held.address() as { port: number }).port;
    try {
      const r = await run(['up', '-f', GOOD, '--state-dir', join(ws.path, 'port-state'), '--api', `127.0.0.1:${port}`, '--listen', '127.0.0.1:1']);
      expect(r).toMatchObject({ code: 1, stderr: `baton: --api 127.0.0.1:${port}: the address is in use by another process; choose another for the control API with --api HOST:PORT\n` });
    } finally {
      await new Promise((r) => held.close(r));
    }
  });

  it('prints where the next verbs find it, and `baton up | head` stops the gateway and every process', async () => {
    const up = await startUp();
    try {
      expect(up.output()).toContain(`  next        verbs run in ${up.root} or below find it; elsewhere first: export BATON_STATE_DIR=${up.stateDir}\n`);
      // From a sub-directory, with no --state-dir: the verbs look upward.
      const sub = join(up.root, 'frontend');
      const list = await baton(['list', '-o', 'json'], { cwd: sub });
      expect(list.code).toBe(0);
      expect((JSON.parse(list.stdout) as { name: string }[]).length).toBeGreaterThan(0);

      const pods = readdirSync(join(up.stateDir, 'pods'))
        .filter((f) => f.endsWith('.json'))
        .map((f) => (JSON.parse(readFileSync(join(up.stateDir, 'pods', f), 'utf8')) as { pid: number }).pid);
      const gateway = (JSON.parse(readFileSync(join(up.stateDir, 'gateway.json'), 'utf8')) as { pid: number }).pid;
      expect(pods.length).toBeGreaterThan(0);
      expect([gateway, ...pods].every(alive)).toBe(true);
      const exited = new Promise<number | null>((r) => up.proc.once('exit', r));
      // The reader goes away (`head` has its lines); the next line written finds the pipe closed.
      up.proc.stdout?.destroy();
      await up.call('POST', '/api/v1/workloads/tbyte-microservices-backend/actions', { action: 'restart' });
      expect(await exited).toBe(0);
      expect(existsSync(join(up.stateDir, 'controller.json'))).toBe(false);
      // Nothing is left running: a process the restart was stopping when the pipe closed may still
      // be in its last moments (or not yet reaped) as the controller exits.
      await waitFor(() => [gateway, ...pods].filter(alive).length === 0, 5_000, `no process left of ${[gateway, ...pods].join(', ')}`);
    } finally {
      if (up.proc.exitCode === null) up.proc.kill('SIGTERM');
    }
  }, 120_000);
});

describe('bin/baton.js', () => {
  it('runs the sources, and says so, when dist/ is older than src/; the build when it is newer', async () => {
    const root = join(ws.path, 'pkg');
    mkdirSync(join(root, 'dist', 'cli'), { recursive: true });
    mkdirSync(join(root, 'src', 'cli'), { recursive: true });
    cpSync('bin', join(root, 'bin'), { recursive: true });
    cpSync('package.json', join(root, 'package.json'));
    symlinkSync(resolve('node_modules'), join(root, 'node_modules'));
    writeFileSync(join(root, 'dist', 'cli', 'main.js'), "process.stdout.write('the build\\n');\n");
    writeFileSync(join(root, 'src', 'cli', 'main.ts'), "const from: string = 'the sources';\nprocess.stdout.write(`${from}\\n`);\n");
    const old = new Date(Date.now() - 3_600_000);
    utimesSync(join(root, 'dist', 'cli', 'main.js'), old, old);
    const exec = (): Promise<{ stdout: string; stderr: string }> =>
      new Promise((res, rej) => {
        const env = { ...process.env };
        delete env.BATON_FROM_SOURCE;
        execFile(process.execPath, [join(root, 'bin', 'baton.js')], { env }, (err, stdout, stderr) => (err ? rej(new Error(`${err.message}\n${stderr}`)) : res({ stdout, stderr })));
      });
    expect(await exec()).toEqual({ stdout: 'the sources\n', stderr: 'baton: dist/ is older than src/ (run `npm run build`); running the sources\n' });
    const now = new Date(Date.now() + 1000);
    utimesSync(join(root, 'dist', 'cli', 'main.js'), now, now);
    expect(await exec()).toEqual({ stdout: 'the build\n', stderr: '' });
  });
});
