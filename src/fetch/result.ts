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
   * changed. Otherwise it is made when first read, and the incoming one's body then belongs to it:
   * read only this one. A framework whose request cannot be replaced (SvelteKit, Astro) leaves it
   * unread, and its incoming request keeps its body.
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

/**
 * The {@link FetchKeepAliveResult} of `outcome` for the `incoming` request. Its session is what
 * {@link getCorbadoSession} returns for the incoming request and for the one handed on.
 */
export function fetchResultOf(incoming: Request, outcome: KeepAliveOutcome): FetchKeepAliveResult {
  const session = outcome.session
  const setCookies = outcome.setCookies
  const finalize =
    setCookies.length === 0
      ? unchanged
      : (response: Response) => finalizeResponse(response, setCookies)
  if (session !== undefined) sessions.set(incoming, session)
  const cookieHeader = outcome.requestCookieHeader
  if (cookieHeader === undefined) return { session, request: incoming, finalize }
  let rewritten: Request | undefined
  return {
    session,
    get request() {
      if (rewritten === undefined) {
        rewritten = withCookieHeader(incoming, cookieHeader)
        if (session !== undefined) sessions.set(rewritten, session)
      }
      return rewritten
    },
    finalize,
  }
}

/**
 * The verified Corbado session of a request the keep-alive decided for (`createFetchKeepAlive`'s
 * `handle`, `withCorbadoKeepAlive`): the incoming request or the one it handed on; `undefined`
 * when anonymous or for any other request.
 */
export function getCorbadoSession(request: Request): CorbadoSession | undefined {
  return sessions.get(request)
}
