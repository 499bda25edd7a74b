/**
 * Timers that never keep a process alive, on every runtime.
 *
 * @module
 */

/**
 * Call `timer.unref()` where the runtime's timers have one (Node, Bun): there, a pending timeout
 * must not hold the process open. Elsewhere (workerd, browsers, Deno's web timers) a timer is a
 * plain number, and nothing is done.
 */
export function unrefTimer(timer: unknown): void {
  if (typeof timer !== 'object' || timer === null) return
  const method = (timer as { unref?: unknown }).unref
  if (typeof method === 'function') method.call(timer)
}
