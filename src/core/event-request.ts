/**
 * Hook events and diagnostics messages carry the adapter's request, so a logger can correlate.
 *
 * @module
 */

/**
 * `event` with `request` added as a property that is not enumerable: a logger given the event
 * (pino, `JSON.stringify`, `console.log`'s inspector by default) leaves the request out, and with
 * it the Cookie header's tokens; a reader who asks for `event.request` gets it.
 */
export function withRequest<E extends object, Req>(
  event: E,
  request: Req,
): Readonly<E & { request: Req }> {
  return Object.freeze(
    Object.defineProperty(event, 'request', { value: request, enumerable: false }),
  ) as Readonly<E & { request: Req }>
}
