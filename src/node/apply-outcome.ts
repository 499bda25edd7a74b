/**
 * Applying the core's {@link KeepAliveOutcome} to a `node:http` request and response: what every
 * adapter for a framework built on `node:http` does alike, whatever the framework calls them.
 *
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { KeepAliveOutcome } from '../core/types.js'
import { writeOnHeaders } from './write-on-headers.js'

/**
 * Apply `outcome` before downstream runs: rewrite the request's `Cookie` header (and the jar of
 * cookie-parser, when it ran first) so everything later reads the fresh token, and have the
 * outcome's `Set-Cookie`s written when the response's headers are. Exposing the session is left
 * to the adapter: each framework has its own place for it.
 *
 * @param parsedBy - the object a cookie parser keeps its jar on, as `cookies`: `req` for
 *   cookie-parser (the default), Fastify's request for `@fastify/cookie`.
 */
export function applyOutcome(
  req: IncomingMessage,
  res: ServerResponse,
  outcome: KeepAliveOutcome,
  parsedBy: object = req,
): void {
  applyToRequest(req, outcome, parsedBy)
  writeOnHeaders(res, outcome.setCookies)
}

/**
 * The request half of {@link applyOutcome}: rewrite the `Cookie` header (`''` removes it) and
 * a cookie parser's jar (`parsedBy.cookies`), when it ran first. A proxy uses it alone: it merges the `Set-Cookie`s into
 * the backend's response itself.
 */
export function applyToRequest(
  req: IncomingMessage,
  outcome: KeepAliveOutcome,
  parsedBy: object = req,
): void {
  if (outcome.requestCookieHeader === undefined) return
  if (outcome.requestCookieHeader === '') delete req.headers.cookie
  else req.headers.cookie = outcome.requestCookieHeader
  const parsed = (parsedBy as { cookies?: unknown }).cookies
  if (typeof parsed === 'object' && parsed !== null) {
    const jar = parsed as Record<string, unknown>
    for (const [name, value] of Object.entries(outcome.requestCookies)) {
      if (value === undefined) Reflect.deleteProperty(jar, name)
      else jar[name] = value
    }
  }
}
