/**
 * Applying the core's {@link KeepAliveOutcome} to a Web `Request`, and the session of each
 * request handed on: what the fetch and Hono adapters share.
 *
 * @module
 */
import type { CorbadoSession, KeepAliveOutcome } from '../core/types.js'
import { finalizeResponse } from './finalize-response.js'
import { withCookieHeader } from './rewrite-request.js'

/** One request's outcome, in Web terms. */
export interface FetchKeepAliveResult {
  /** The verified Corbado session, `undefined` when anonymous. */
  readonly session: CorbadoSession | undefined
  /**
   * The request to hand to the app: same method, URL and body (streamed, not buffered), its
   * `Cookie` header carrying the fresh session-token. The incoming Request itself when nothing
   * changed; otherwise the incoming one's body belongs to this one, so read only this one.
   */
  readonly request: Request
  /**
   * Merge the session's `Set-Cookie` (and `Cache-Control: private, no-store`, `Vary: Cookie`)
   * into the app's response; a session cookie the app set itself wins. Returns the same response
   * when there is nothing to merge or its headers can be changed, else a new Response around the
   * same body, status and headers (for immutable responses: `Response.redirect()`, `fetch()`'s).
   */
  readonly finalize: (response: Response) => Response
}

const sessions = new WeakMap<Request, CorbadoSession>()
/** The finalize step of an outcome that writes nothing: shared, so the hot path makes no closure. */
const unchanged = (response: Response): Response => response

/** The {@link FetchKeepAliveResult} of `outcome` for the `incoming` request. */
export function fetchResultOf(incoming: Request, outcome: KeepAliveOutcome): FetchKeepAliveResult {
  const request =
    outcome.requestCookieHeader === undefined
      ? incoming
      : withCookieHeader(incoming, outcome.requestCookieHeader)
  const setCookies = outcome.setCookies
  return {
    session: outcome.session,
    request,
    finalize:
      setCookies.length === 0 ? unchanged : (response) => finalizeResponse(response, setCookies),
  }
}

/** Remember `result`'s session for {@link getCorbadoSession} of its request; returns `result`. */
export function rememberSession(result: FetchKeepAliveResult): FetchKeepAliveResult {
  if (result.session !== undefined) sessions.set(result.request, result.session)
  return result
}

/**
 * The verified Corbado session of a request the keep-alive handed on (`createFetchKeepAlive`'s
 * `handle`, `withCorbadoKeepAlive`); `undefined` when anonymous or for any other request.
 */
export function getCorbadoSession(request: Request): CorbadoSession | undefined {
  return sessions.get(request)
}
