/**
 * Restart back-off as the kubelet applies it to a container that keeps exiting or failing its
 * liveness probe (`pkg/kubelet/kuberuntime/kuberuntime_manager.go` doBackOff with
 * `flowcontrol.Backoff`, initial 10 s, maximum 300 s): the first restart is immediate, each
 * following one waits twice as long as the one before, up to five minutes. A process that ran
 * for ten minutes (twice the maximum, when the kubelet forgets the entry) starts over.
 *
 * Worked example, time scale 1: restarts wait 0 s, 10 s, 20 s, 40 s, 80 s, 160 s, 300 s, 300 s...
 * With `--time-scale 0.1`: 0 s, 1 s, 2 s, 4 s ...
 */

export const BACKOFF_INITIAL_MS = 10_000;
export const BACKOFF_MAX_MS = 300_000;
/** A process that ran this long before exiting is treated as a first failure again. */
export const BACKOFF_RESET_MS = 2 * BACKOFF_MAX_MS;

/**
 * The wait before restart number `consecutive` (1 = the first restart after a good run),
 * multiplied by `timeScale`.
 */
export function restartDelayMs(consecutive: number, timeScale = 1): number {
  if (consecutive <= 1) return 0;
  const raw = Math.min(BACKOFF_MAX_MS, BACKOFF_INITIAL_MS * 2 ** Math.min(consecutive - 2, 30));
  return raw * timeScale;
}
