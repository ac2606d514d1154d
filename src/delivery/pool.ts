/**
 * Runs `worker` for indexes 0..count-1 with at most `concurrency` in flight, in order of start.
 * Once `stopped()` is true no more indexes are taken (the ones in flight finish): a run that stops
 * early (three deliveries in a row unanswered) does not walk the rest of a count of millions.
 */
export async function runPool(count: number, concurrency: number, worker: (index: number) => Promise<void>, stopped: () => boolean = () => false): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, count) }, async () => {
    while (next < count && !stopped()) {
      const index = next++;
      await worker(index);
    }
  });
  await Promise.all(lanes);
}
