/**
 * Milliseconds on a monotonic clock, for durations and deadlines. Not performance.now(): its first
 * use loads perf_hooks (eight modules), which a one-shot command's single send would pay for.
 */
export function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}
