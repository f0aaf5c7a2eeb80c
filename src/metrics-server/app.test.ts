import { describe, expect, it } from 'vitest';
import { labelsFromRecord } from '../promql/labels.js';
import { createMetricsApp } from './app.js';
import { parseMetricsConfig } from './config.js';

describe('createMetricsApp', () => {
  it('answers Fetch requests under its prefix, for mounting in another server', async () => {
    const app = createMetricsApp({ config: parseMetricsConfig('scrape_configs: []'), prefix: '/prometheus/' });
    app.storage.append(labelsFromRecord({ __name__: 'kube_pod_status_ready', pod: 'p1', condition: 'true' }), 1_000_000, 1);
    const r = await app.handle(new Request('http://control/prometheus/api/v1/query?query=sum(kube_pod_status_ready)&time=1000'));
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [1000, '1'] }] } });
    const post = await app.handle(
      new Request('http://control/prometheus/api/v1/query', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'query=1%2B2&time=5' }),
    );
    expect(await post.json()).toEqual({ status: 'success', data: { resultType: 'scalar', result: [5, '3'] } });
    expect((await app.handle(new Request('http://control/other/api/v1/query?query=1'))).status).toBe(404);
    expect((await app.handle(new Request('http://control/prometheus/-/ready'))).status).toBe(200);
    await app.stop();
  });
});
