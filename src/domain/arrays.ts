/**
 * `target.push(...items)` and `Math.max(...items)` pass every item as an argument: past ~100k
 * items (193k documents in one file, a 100k-node fleet) that overflows the call stack. These
 * loop instead.
 */
export function append<T>(target: T[], items: readonly T[]): T[] {
  for (const item of items) target.push(item);
  return target;
}

export function maxOf(values: Iterable<number>, empty = 0): number {
  let max = Number.NEGATIVE_INFINITY;
  for (const value of values) if (value > max) max = value;
  return max === Number.NEGATIVE_INFINITY ? empty : max;
}
