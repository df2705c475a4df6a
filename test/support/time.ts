/**
 * Waiting for a moment rather than for a duration. Some facts have second precision (managedFields
 * times, pod startTime): a test that needs "a later second" waits until the wall clock has
 * entered the next second, however loaded the machine is, instead of sleeping a guessed 1.1 s.
 */
export async function nextSecond(): Promise<void> {
  const start = Math.floor(Date.now() / 1000);
  while (Math.floor(Date.now() / 1000) === start) {
    await new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000) + 1));
  }
}

/** Re-checks `condition` after each turn of the event loop until it holds (bounded by `timeoutMs`). */
export async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 30_000, what = 'the condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}
