/**
 * The call to Corbado's Frontend API `POST /v2/me/refresh`, and the classification of its answer.
 *
 * @module
 */
import { abortAfter } from './deadline.js'
import type { RefreshFailureReason } from './errors.js'

/** What one refresh call produced. `sessionToken` is not verified yet. */
export type RefreshAnswer =
  | { readonly kind: 'token'; readonly sessionToken: string }
  | { readonly kind: 'ended'; readonly status: number }
  | {
      readonly kind: 'failed'
      readonly reason: RefreshFailureReason
      readonly status?: number
      /** A description safe to log: it never contains a token. */
      readonly detail: string
      readonly cause?: unknown
    }

/** Settings of {@link createRefreshClient}. */
export interface RefreshClientSettings {
  readonly refreshUrl: string
  readonly projectId: string
  readonly refreshCookieName: string
  readonly timeoutMs: number
  readonly fetch: typeof globalThis.fetch
}

/** Calls the Frontend API's refresh endpoint for one refresh-token. */
export type RefreshClient = (refreshToken: string) => Promise<RefreshAnswer>

// A cookie-octet (RFC 6265 §4.1.1): values outside it cannot be sent as a cookie.
const COOKIE_OCTETS = /^[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]+$/
// Bearer credentials are b64token (RFC 6750 §2.1).
const B64TOKEN = /^[\w\-.~+/]+=*$/

/** Create a {@link RefreshClient}. Never rejects: every failure is a classified answer. */
export function createRefreshClient(settings: RefreshClientSettings): RefreshClient {
  return async function refresh(refreshToken) {
    const headers: Record<string, string> = {
      accept: 'application/json',
      'x-corbado-projectid': settings.projectId,
      'cache-control': 'no-cache',
    }
    // Corbado accepts the refresh-token as a bearer (dev projects, native apps) or as its cookie
    // (production, on the Frontend API's host); send both forms it can take.
    if (B64TOKEN.test(refreshToken)) headers.authorization = `Bearer ${refreshToken}`
    if (COOKIE_OCTETS.test(refreshToken))
      headers.cookie = `${settings.refreshCookieName}=${refreshToken}`
    if (headers.authorization === undefined && headers.cookie === undefined) {
      return { kind: 'ended', status: 401 }
    }

    let response: Response
    let body: string
    const timeout = abortAfter(settings.timeoutMs)
    try {
      response = await settings.fetch(settings.refreshUrl, {
        method: 'POST',
        headers,
        redirect: 'manual',
        signal: timeout.signal,
      })
      body = await response.text()
    } catch (error) {
      return isTimeout(error)
        ? { kind: 'failed', reason: 'timeout', detail: `no answer within ${settings.timeoutMs} ms` }
        : { kind: 'failed', reason: 'network', detail: describeNetworkError(error), cause: error }
    } finally {
      timeout.clear()
    }
    return classify(response.status, body)
  }
}

function classify(status: number, body: string): RefreshAnswer {
  if (status === 401 || status === 403) return { kind: 'ended', status }
  if (status === 429) return { kind: 'failed', reason: 'rate-limited', status, detail: 'HTTP 429' }
  if (status >= 500)
    return { kind: 'failed', reason: 'upstream-error', status, detail: `HTTP ${status}` }
  if (status !== 200) {
    return {
      kind: 'failed',
      reason: 'unexpected-status',
      status,
      detail: `HTTP ${status}${errorType(body)}`,
    }
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(body)
  } catch {
    return { kind: 'failed', reason: 'bad-response', status, detail: 'the body is not JSON' }
  }
  const sessionToken = tokenField(parsed, 'sessionToken') ?? tokenField(parsed, 'shortSession')
  if (sessionToken === undefined) {
    return {
      kind: 'failed',
      reason: 'bad-response',
      status,
      detail: 'the body has no session-token',
    }
  }
  return { kind: 'token', sessionToken }
}

function tokenField(body: unknown, field: string): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined
  const value = (body as Record<string, unknown>)[field]
  return typeof value === 'string' && value !== '' ? value : undefined
}

/** The Corbado error envelope's `error.type`, for logs (it never carries a token). */
function errorType(body: string): string {
  try {
    const type = (JSON.parse(body) as { error?: { type?: unknown } }).error?.type
    return typeof type === 'string' && /^[\w.-]{1,64}$/.test(type) ? ` (${type})` : ''
  } catch {
    return ''
  }
}

function isTimeout(error: unknown): boolean {
  return (
    error instanceof DOMException && (error.name === 'TimeoutError' || error.name === 'AbortError')
  )
}

function describeNetworkError(error: unknown): string {
  const cause = error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined
  const code = typeof cause?.code === 'string' ? cause.code : undefined
  return code === undefined
    ? 'the Frontend API could not be reached'
    : `the Frontend API could not be reached (${code})`
}
