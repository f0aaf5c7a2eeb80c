/**
 * `kube_pod_status_ready` in the Prometheus text format, as kube-state-metrics exports it
 * (`internal/store/pod.go`): one sample per condition value, 1 on the pod's current one. The
 * seed's pod-ready-ratio query (sum of condition="true" over count) runs on it unchanged.
 */

/** What the metric needs of one pod. */
export interface PodReadySample {
  namespace: string;
  pod: string;
  /** `undefined` is condition="unknown" (a pod whose process state is not known yet). */
  ready: boolean | undefined;
}

/** Label value escaping of the text exposition format: backslash, double quote, newline. */
function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

export function formatPodReadyMetrics(pods: PodReadySample[]): string {
  const lines = ['# HELP kube_pod_status_ready Describes whether the pod is ready to serve requests.', '# TYPE kube_pod_status_ready gauge'];
  for (const p of pods) {
    const state = p.ready === undefined ? 'unknown' : p.ready ? 'true' : 'false';
    for (const condition of ['true', 'false', 'unknown'] as const) {
      lines.push(`kube_pod_status_ready{namespace="${escapeLabel(p.namespace)}",pod="${escapeLabel(p.pod)}",condition="${condition}"} ${condition === state ? 1 : 0}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
