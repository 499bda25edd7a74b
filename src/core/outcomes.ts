/**
 * The outcomes of the behaviour table, built from the options: what the request's Cookie header
 * becomes, which `Set-Cookie`s are written, and which session downstream sees.
 *
 * @module
 */
import type { RefreshFailureReason } from './errors.js'
import type { ResolvedOptions } from './options.js'
import { cookieNamesIn, rewriteCookieHeader } from './request-cookies.js'
import type { CorbadoCookies } from './request-cookies.js'
import { clearingSetCookie, sessionSetCookie } from './set-cookie.js'
import type { VerifiedToken } from './token-verifier.js'
import type { CorbadoSession, KeepAliveOutcome } from './types.js'

/** Builds {@link KeepAliveOutcome}s. */
export interface Outcomes {
  /** No Corbado cookie at all: nothing to do. */
  readonly anonymous: KeepAliveOutcome
  /** Use a verified token as it is, from a request with exactly one session cookie. */
  kept(token: VerifiedToken): KeepAliveOutcome
  /** Use the session as it is (or anonymous), normalising duplicate session cookies. */
  keep(
    token: VerifiedToken | undefined,
    cookieHeader: string | undefined,
    cookies: CorbadoCookies,
  ): KeepAliveOutcome
  /** Fail open: the still-valid token, else anonymous; nothing is written or cleared. */
  failed(
    reason: RefreshFailureReason,
    current: VerifiedToken | undefined,
    cookieHeader: string | undefined,
    cookies: CorbadoCookies,
  ): KeepAliveOutcome
  /** The new token, on the request and in a `Set-Cookie`. */
  refreshed(token: VerifiedToken, cookieHeader: string | undefined): KeepAliveOutcome
  /** The session ended: its cookies cleared, on the request and in the browser. */
  ended(
    cookieHeader: string | undefined,
    cookies: CorbadoCookies,
    refreshToken: string,
  ): KeepAliveOutcome
}

type CookieOptions = Pick<
  ResolvedOptions<unknown>,
  'sessionCookieName' | 'sessionCookieNames' | 'refreshCookieNames' | 'cookie'
>

// A session value is written back into the Cookie header only if it is a valid cookie-octet
// string (RFC 6265 §4.1.1); a decoded value with `;` or `,` could smuggle in another cookie.
const COOKIE_OCTETS = /^[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]+$/
const NO_COOKIES: Readonly<Record<string, string | undefined>> = Object.freeze({})
const NO_SET_COOKIES: readonly string[] = Object.freeze([])
const UNCHANGED = Object.freeze({ requestCookieHeader: undefined, requestCookies: NO_COOKIES })

/**
 * The outcome of every request that uses `session` as it is: built once per verified token, so the
 * hot path allocates nothing.
 */
export function keptOutcome(session: CorbadoSession): KeepAliveOutcome {
  return Object.freeze({
    action: 'none',
    session,
    ...UNCHANGED,
    setCookies: NO_SET_COOKIES,
    failure: undefined,
  })
}

/**
 * Create the {@link Outcomes} of one keep-alive. `cookieAttributes` gives the attributes cookies
 * are written and cleared with at that moment (the project's session-config may change them).
 */
export function createOutcomes(
  o: CookieOptions,
  cookieAttributes: () => CookieOptions['cookie'] = () => o.cookie,
): Outcomes {
  function normalisedRequestCookies(
    cookieHeader: string | undefined,
    cookies: CorbadoCookies,
  ): Pick<KeepAliveOutcome, 'requestCookieHeader' | 'requestCookies'> {
    if (cookies.sessionCookieCount <= 1) return UNCHANGED
    // Several session cookies (e.g. one per path or domain): downstream sees the one we judged,
    // or none when that one is empty or could not be written back as it is.
    const value = cookies.sessionToken
    if (value === undefined || !COOKIE_OCTETS.test(value)) {
      return {
        requestCookieHeader: rewriteCookieHeader(cookieHeader, o.sessionCookieNames, undefined),
        requestCookies: removals(o.sessionCookieNames),
      }
    }
    return {
      requestCookieHeader: rewriteCookieHeader(cookieHeader, o.sessionCookieNames, {
        name: o.sessionCookieName,
        value,
      }),
      requestCookies: removals(o.sessionCookieNames, o.sessionCookieName, value),
    }
  }

  return {
    anonymous: Object.freeze({
      action: 'none',
      session: undefined,
      ...UNCHANGED,
      setCookies: NO_SET_COOKIES,
      failure: undefined,
    }),

    kept(token) {
      return token.kept
    },

    keep(token, cookieHeader, cookies) {
      return {
        action: 'none',
        session: token?.session,
        ...normalisedRequestCookies(cookieHeader, cookies),
        setCookies: NO_SET_COOKIES,
        failure: undefined,
      }
    },

    failed(reason, current, cookieHeader, cookies) {
      const stillValid = current !== undefined && current.expiresAtMs > Date.now()
      return {
        action: 'failed',
        session: stillValid ? current.session : undefined,
        ...normalisedRequestCookies(cookieHeader, cookies),
        setCookies: NO_SET_COOKIES,
        failure: reason,
      }
    },

    refreshed(token, cookieHeader) {
      const value = token.session.token
      return {
        action: 'refreshed',
        session: { ...token.session, refreshed: true },
        requestCookieHeader: rewriteCookieHeader(cookieHeader, o.sessionCookieNames, {
          name: o.sessionCookieName,
          value,
        }),
        requestCookies: removals(o.sessionCookieNames, o.sessionCookieName, value),
        setCookies: [
          sessionSetCookie(o.sessionCookieName, value, token.session.expiresAt, cookieAttributes()),
        ],
        failure: undefined,
      }
    },

    ended(cookieHeader, cookies, refreshToken) {
      const present = cookieNamesIn(cookieHeader)
      const removed = [...o.sessionCookieNames]
      // A dead refresh cookie is cleared too, or every request would send it upstream again.
      if (cookies.refreshToken === refreshToken) removed.push(...o.refreshCookieNames)
      const cleared = new Set([o.sessionCookieName, ...removed.filter((name) => present.has(name))])
      const attributes = cookieAttributes()
      return {
        action: 'ended',
        session: undefined,
        requestCookieHeader: rewriteCookieHeader(cookieHeader, removed, undefined),
        requestCookies: removals(removed),
        setCookies: [...cleared].flatMap((name) =>
          o.refreshCookieNames.includes(name)
            ? clearingRefreshCookie(name, attributes)
            : [clearingSetCookie(name, attributes)],
        ),
        failure: undefined,
      }
    },
  }
}

/**
 * Clear a refresh cookie where the session cookie lives and, when that is elsewhere, where the
 * gateway writes it by default: host-only at `/` (its `cookieDomain` and `cookiePath`). A clearing
 * `Set-Cookie` only removes the cookie of its own `Domain` and `Path`, so a dead refresh cookie
 * the gateway wrote host-only would otherwise stay, and be sent upstream again and again.
 */
function clearingRefreshCookie(name: string, attributes: CookieOptions['cookie']): string[] {
  const whereSession = clearingSetCookie(name, attributes)
  if (attributes.domain === undefined && attributes.path === '/') return [whereSession]
  return [whereSession, clearingSetCookie(name, { ...attributes, domain: undefined, path: '/' })]
}

function removals(
  names: readonly string[],
  keep?: string,
  value?: string,
): Record<string, string | undefined> {
  const changes: Record<string, string | undefined> = {}
  for (const name of names) changes[name] = undefined
  if (keep !== undefined) changes[keep] = value
  return changes
}
