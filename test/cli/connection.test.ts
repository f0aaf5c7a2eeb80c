/**
 * How every runtime verb finds the controller, and what it says when it cannot: `--state-dir`,
 * `BATON_STATE_DIR`, `--server URL --token T`, no controller.json, a refused or missing token,
 * a controller that does not answer, an answer that is not the API.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/net.js';
import { baton, useFakeController, workspace } from './support/cli.js';

const s = useFakeController(beforeAll, afterAll);

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const STACK = /\n\s+at [^\n]+:\d+:\d+/;

describe('finding the controller', () => {
  it('uses BATON_STATE_DIR, else looks for .baton from the working directory upward, and says where it looked (exit 69)', async () => {
    const byEnv = await baton(['list', '-o', 'json'], { cwd: s.ws.cwd, env: { BATON_STATE_DIR: s.ws.stateDir } });
    expect(byEnv.code).toBe(0);
    expect(JSON.parse(byEnv.stdout)).toHaveLength(2);
    const none = await baton(['list'], { cwd: s.ws.cwd });
    expect(none).toMatchObject({ code: 69, stdout: '' });
    // Nearest first, ending at the root's.
    expect(none.stderr).toMatch(new RegExp(`^baton: no controller is running: no controller\\.json in ${escape(join(s.ws.cwd, '.baton'))}, ${escape(join(dirname(s.ws.cwd), '.baton'))}.* and /\\.baton: start one with \`baton up -f <manifests>\`, or pass --state-dir / --server\n$`));
    const named = await baton(['list', '--state-dir', join(s.ws.cwd, 'nowhere')], { cwd: s.ws.cwd });
    expect(named).toMatchObject({ code: 69, stderr: `baton: no controller is running on ${join(s.ws.cwd, 'nowhere')} (from --state-dir): start one with \`baton up -f <manifests>\`, or pass --state-dir / --server\n` });
  });

  it('finds the nearest .baton holding a controller.json from a sub-directory, past a .baton without one', async () => {
    const project = await workspace(s.controller);
    try {
      await rename(project.stateDir, join(project.cwd, '.baton'));
      const deep = join(project.cwd, 'services', 'api');
      await mkdir(join(deep, '.baton'), { recursive: true }); // state of a controller that is not running here
      const r = await baton(['list', '-o', 'json'], { cwd: deep });
      expect(r).toMatchObject({ code: 0, stderr: '' });
      expect(JSON.parse(r.stdout)).toHaveLength(2);
    } finally {
      await project.remove();
    }
  });

  it('talks to --server with --token, without reading any state dir', async () => {
    const r = await baton(['get', 'backend', '-o', 'json', '--server', `${s.controller.url}/`, '--token', s.controller.token], { cwd: s.ws.cwd });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ name: 'backend', kind: 'Deployment' });
    expect(s.controller.requests.at(-1)).toMatchObject({ path: '/api/v1/workloads/backend', authorization: `Bearer ${s.controller.token}` });
  });

  it('does not send the state dir token to a --server, and says a token is needed', async () => {
    const r = await baton(['list', '--server', s.controller.url, '--state-dir', s.ws.stateDir], { cwd: s.ws.cwd });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`baton: the controller at ${s.controller.url} needs a token: pass --token (the content of the state dir's api.token on the controller's machine), or run on the controller's machine as a user who can read that file\n`);
    expect(s.controller.requests.at(-1)?.authorization).toBeUndefined();
  });

  it('says the token was refused (exit 1), with --token over the state dir file too', async () => {
    const r = await baton(['list', '--state-dir', s.ws.stateDir, '--token', 'wrong'], { cwd: s.ws.cwd });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `baton: the controller at ${s.controller.url} refused the token: pass --token (the content of ${s.ws.stateDir}/api.token on the controller's machine), or run on the controller's machine as a user who can read that file\n`,
    );
    expect(s.controller.requests.at(-1)?.authorization).toBe('Bearer wrong');
  });

  it('refuses a --server that is not an http URL as bad usage', async () => {
    const r = await baton(['list', '--server', 'localhost:7070'], { cwd: s.ws.cwd });
    expect(r.code).toBe(64);
    expect(r.stderr).toContain('--server "localhost:7070" must be an http:// or https:// URL');
  });
});

describe('a controller that is not answering', () => {
  it('connection refused: names the URL and says to start it again (controller.json left by a dead controller)', async () => {
    const port = await freePort();
    const dead = await workspace();
    await writeFile(join(dead.stateDir, 'controller.json'), JSON.stringify({ pid: 2 ** 22 + 1, api: `http://127.0.0.1:${port}`, gateway: '', startedAt: 0 }));
    try {
      const r = await baton(['status', 'frontend', '--state-dir', dead.stateDir], { cwd: dead.cwd });
      expect(r.code).toBe(69);
      expect(r.stderr).toBe(
        `baton: the controller at http://127.0.0.1:${port} is not answering (its pid ${2 ** 22 + 1} is not running): connection refused; it may have stopped; start it again with \`baton up\` (it resumes the set in force)\n`,
      );
      const remote = await baton(['list', '--server', `http://127.0.0.1:${port}`, '--token', 't'], { cwd: dead.cwd });
      expect(remote.stderr).toBe(`baton: the controller at http://127.0.0.1:${port} is not answering: connection refused; check --server, or start it with \`baton up\`\n`);
      expect(remote.code).toBe(69);
      await writeFile(join(dead.stateDir, 'controller.json'), '{"pid": 1, ');
      const torn = await baton(['list', '--state-dir', dead.stateDir], { cwd: dead.cwd });
      expect(torn).toMatchObject({ code: 69, stderr: `baton: ${join(dead.stateDir, 'controller.json')} cannot be read as JSON: start the controller again with \`baton up\` (it resumes the set in force; \`-f <manifests>\` on a new state dir)\n` });
      await rm(join(dead.stateDir, 'controller.json'));
      const gone = await baton(['history', 'frontend', '--state-dir', dead.stateDir], { cwd: dead.cwd });
      expect(gone).toMatchObject({ code: 69, stderr: expect.stringMatching(/^baton: no controller is running on /) as unknown });
      for (const x of [r, remote, torn, gone]) expect(x.stderr).not.toMatch(STACK);
    } finally {
      await dead.remove();
    }
  });

  it('an error that is not the API error body is named with its HTTP status', async () => {
    const server = createServer((_req, res) => {
      res.writeHead(502, { 'content-type': 'text/plain' });
      res.end('Bad Gateway from a proxy');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const r = await baton(['list', '--server', url, '--token', 't'], { cwd: s.ws.cwd });
      expect(r).toEqual({ code: 1, stdout: '', stderr: `baton: the controller at ${url} answered GET /api/v1/workloads with HTTP 502: Bad Gateway from a proxy\n` });
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});
