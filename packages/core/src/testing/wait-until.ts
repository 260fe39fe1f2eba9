/**
 * Polls a condition every few milliseconds until it holds. For tests that must see a server-side
 * effect (a disconnect, a request count) that happens asynchronously.
 * @throws Error when the condition does not hold within `withinMs` (default 2000).
 */
export async function waitUntil(condition: () => boolean, withinMs = 2000): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${withinMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
