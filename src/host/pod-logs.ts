/**
 * `GET /api/v1/logs`: the log files of a workload's processes, and nothing else. A pod is named
 * by the client, so its name is checked (a Kubernetes pod name: DNS-1123 subdomain, RFC 1123) and
 * looked up among the log files the supervisor lists for the known workloads; no path is ever
 * built from the client's input, so `../` or `controller` cannot reach another file.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { basename } from 'node:path';
import { InvalidInputError } from '../core/errors.js';
import type { LogsResult } from '../api/types.js';

/** A pod name as Kubernetes allows it (`metadata.name` of a Pod: a DNS-1123 subdomain). */
const POD_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/** Most bytes read of one log file: its last 8 MiB (a long-running process' log can be far larger). */
export const MAX_LOG_BYTES = 8 << 20;

/** Checks a pod name given by a client. */
export function checkPodName(pod: string): string {
  if (pod.length > 253 || !POD_NAME.test(pod)) {
    throw new InvalidInputError('invalid-pod-name', `pod ${JSON.stringify(pod)} is not a pod name (lower-case letters, digits, '-' and '.', as \`baton get\` shows them)`, { pod });
  }
  return pod;
}

/** The last `max` bytes of a file, from the start of a line when it was cut. */
function readTail(path: string, max: number): string {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const start = Math.max(0, size - max);
    const buf = Buffer.alloc(size - start);
    let got = 0;
    while (got < buf.length) {
      const n = readSync(fd, buf, got, buf.length - got, start + got);
      if (n === 0) break;
      got += n;
    }
    const text = buf.subarray(0, got).toString('utf8');
    return start === 0 ? text : text.slice(text.indexOf('\n') + 1);
  } finally {
    closeSync(fd);
  }
}

/**
 * The files' texts for the API. `paths` are the supervisor's log files of the workloads asked
 * about; `pod` (checked) keeps the one of that pod; `tail` keeps the last lines.
 */
export function podLogs(paths: readonly string[], q: { pod?: string; tail?: number }): LogsResult {
  const pod = q.pod === undefined ? undefined : checkPodName(q.pod);
  const chosen = pod === undefined ? paths : paths.filter((p) => basename(p) === `${pod}.log`);
  return {
    files: chosen.map((path) => {
      let text = readTail(path, MAX_LOG_BYTES);
      if (q.tail !== undefined) text = text.split('\n').slice(-(q.tail + 1)).join('\n');
      return { pod: basename(path).replace(/\.log$/, ''), path, text };
    }),
  };
}
