import { describe, expect, it } from 'vitest';
import { formatPodReadyMetrics } from './pod-ready-metrics.js';

describe('formatPodReadyMetrics', () => {
  it('writes one sample per condition with 1 on the current one, labels escaped', () => {
    const text = formatPodReadyMetrics([
      { namespace: 'prod', pod: 'web-h-bcdfg', ready: true },
      { namespace: 'x"y\\z', pod: 'p', ready: undefined },
    ]);
    expect(text).toBe(
      [
        '# HELP kube_pod_status_ready Describes whether the pod is ready to serve requests.',
        '# TYPE kube_pod_status_ready gauge',
        'kube_pod_status_ready{namespace="prod",pod="web-h-bcdfg",condition="true"} 1',
        'kube_pod_status_ready{namespace="prod",pod="web-h-bcdfg",condition="false"} 0',
        'kube_pod_status_ready{namespace="prod",pod="web-h-bcdfg",condition="unknown"} 0',
        'kube_pod_status_ready{namespace="x\\"y\\\\z",pod="p",condition="true"} 0',
        'kube_pod_status_ready{namespace="x\\"y\\\\z",pod="p",condition="false"} 0',
        'kube_pod_status_ready{namespace="x\\"y\\\\z",pod="p",condition="unknown"} 1',
        '',
      ].join('\n'),
    );
  });
});
