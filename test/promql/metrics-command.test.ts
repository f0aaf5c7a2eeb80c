/** `baton metrics serve` through its exported functions and through commander. */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseListenAddress, registerMetricsCommand, runMetricsServe } from '../../src/cli/commands/metrics.js';
import { InvalidInputError } from '../../src/core/errors.js';
import { tempDir } from '../support/net.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  vi.restoreAllMocks();
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function configFile(text: string): Promise<string> {
  const dir = await tempDir();
  cleanups.push(dir.remove);
  const file = join(dir.path, 'prometheus.yml');
  await writeFile(file, text);
  return file;
}

describe('baton metrics serve', () => {
  it('parses --listen addresses and names the flag when one is wrong', () => {
    expect(parseListenAddress('127.0.0.1:9090')).toEqual({ host: '127.0.0.1', port: 9090 });
    expect(parseListenAddress('[::1]:0')).toEqual({ host: '::1', port: 0 });
    expect(parseListenAddress(':9090')).toEqual({ host: '127.0.0.1', port: 9090 });
    for (const bad of ['9090', 'host:port', 'h:99999']) {
      expect(() => parseListenAddress(bad)).toThrow(InvalidInputError);
      expect(() => parseListenAddress(bad)).toThrow('--listen');
    }
  });

  it('starts from a config file, serves the API under the prefix, and returns config warnings', async () => {
    const file = await configFile('rule_files: [a.yml]\nscrape_configs: []\n');
    const { server, warnings } = await runMetricsServe({ config: file, listen: '127.0.0.1:0', prefix: '/prometheus', retention: '30m', maxSeries: '500', maxSamples: '100000' });
    cleanups.push(() => server.stop());
    expect(warnings).toEqual([`${file}: rule_files is not supported by the embedded server and is ignored`]);
    expect([server.storage.retentionMs, server.storage.maxSeries, server.storage.maxSamples]).toEqual([1_800_000, 500, 100_000]);
    const res = await fetch(`${server.url}/api/v1/query?query=vector(3)&time=100`);
    expect(await res.json()).toEqual({ status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [100, '3'] }] } });
  });

  it('rejects a missing config file and a bad retention with errors naming them', async () => {
    await expect(runMetricsServe({ config: '/nonexistent/prometheus.yml', listen: '127.0.0.1:0' })).rejects.toThrow('/nonexistent/prometheus.yml: cannot read');
    const file = await configFile('scrape_configs: []\n');
    await expect(runMetricsServe({ config: file, listen: '127.0.0.1:0', retention: 'forever' })).rejects.toThrow('--retention "forever"');
    await expect(runMetricsServe({ config: file, listen: '127.0.0.1:0', maxSeries: '-3' })).rejects.toThrow('--max-series "-3"');
  });

  it('runs under commander until SIGTERM', async () => {
    const file = await configFile('scrape_configs: []\n');
    const program = new Command('baton').exitOverride();
    registerMetricsCommand(program);
    let listening: (url: string) => void = () => undefined;
    const url = new Promise<string>((resolve) => (listening = resolve));
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      const m = /listening on (\S+)/.exec(String(chunk));
      if (m) listening(m[1] as string);
      return true;
    });
    const run = program.parseAsync(['node', 'baton', 'metrics', 'serve', '--config', file, '--listen', '127.0.0.1:0']);
    const base = await url;
    expect((await fetch(`${base}/-/healthy`)).status).toBe(200);
    process.emit('SIGTERM');
    await run;
    await expect(fetch(`${base}/-/healthy`)).rejects.toThrow();
  });
});
