/**
 * The session cookie's attributes as the project's `GET /v2/session-config` advertises them
 * (`sessionTokenCookieConfig`): Corbado's browser SDK writes `cbo_session_token` with exactly
 * these, so a server that writes it with others leaves the browser holding two cookies.
 *
 * The answer is fetched in the background, cached for an hour and fetched again after a failure
 * at a bounded pace. Until it is known, and whenever it is unusable, the `cookie` options (with
 * their defaults) apply. An attribute set explicitly in `cookie` always wins over the advertised
 * one; `httpOnly` always comes from the options (the SDK needs to read the cookie).
 *
 * @module
 */
import { abortAfter } from './deadline.js'
import { ATTRIBUTE_VALUE } from './options.js'
import type { ResolvedOptions } from './options.js'

/** The attributes the session cookie is written (and cleared) with. */
export type CookieAttributes = ResolvedOptions<unknown>['cookie']

/** How long an advertised configuration is used before it is fetched again, in milliseconds. */
export const SESSION_CONFIG_TTL_MS = 60 * 60 * 1000
/** The least time between two fetches after a failed one, in milliseconds. */
export const SESSION_CONFIG_RETRY_MS = 30_000

/** The attributes `/v2/session-config` can set. */
const ADVERTISED = ['domain', 'path', 'secure', 'sameSite'] as const

/** Settings of {@link createSessionCookieConfig}. */
export interface SessionCookieConfigSettings {
  /** `<frontendApiUrl>/v2/session-config`. */
  readonly url: string
  readonly projectId: string
  readonly timeoutMs: number
  readonly fetch: typeof globalThis.fetch
  /** The resolved `cookie` option: defaults plus what was set. */
  readonly configured: CookieAttributes
  /** The `cookie` option as given, to tell which attributes were set explicitly. */
  readonly explicit: unknown
  /** Logs a problem with the answer (never given a token: the answer holds none). */
  readonly log: (context: Record<string, unknown>, message: string) => void
}

/** The session cookie's attributes, kept in step with the project's session-config. */
export interface SessionCookieConfig {
  /** The attributes to write now. Synchronous, no I/O. */
  current(): CookieAttributes
  /** Start a fetch when the cached answer is stale and none is in flight. Never blocks. */
  refreshIfStale(now: number): void
  /**
   * The first fetch while it is in flight, else `undefined`. A request that is waiting for a
   * refresh anyway may wait for it too, within the refresh's own deadline.
   */
  pendingFirstFetch(): Promise<void> | undefined
}

/** Create a {@link SessionCookieConfig}; nothing is fetched until {@link SessionCookieConfig.refreshIfStale}. */
export function createSessionCookieConfig(s: SessionCookieConfigSettings): SessionCookieConfig {
  const explicit = explicitAttributes(s.explicit)
  let attributes = s.configured
  // Every attribute set explicitly: the advertised ones would all be overridden.
  let nextFetchAt = ADVERTISED.every((name) => explicit.has(name)) ? Infinity : 0
  let inFlight: Promise<void> | undefined
  let fetchedOnce = false
  const logged = new Set<string>()

  function logOnce(problem: string, message: string): void {
    if (logged.has(problem)) return
    logged.add(problem)
    s.log({ problem, url: s.url }, `corbado-keepalive: ${message}; the "cookie" options apply`)
  }

  async function load(): Promise<void> {
    let status: number
    let body: string
    const timeout = abortAfter(s.timeoutMs)
    try {
      const response = await s.fetch(s.url, {
        headers: { accept: 'application/json', 'x-corbado-projectid': s.projectId },
        redirect: 'manual',
        signal: timeout.signal,
      })
      status = response.status
      body = await response.text()
    } catch {
      nextFetchAt = Date.now() + SESSION_CONFIG_RETRY_MS
      logOnce('unreachable', 'the session-config could not be fetched')
      return
    } finally {
      timeout.clear()
    }
    if (status !== 200) {
      nextFetchAt = Date.now() + SESSION_CONFIG_RETRY_MS
      logOnce('status', `the session-config answered HTTP ${status}`)
      return
    }
    const advertised = advertisedAttributes(body)
    if (advertised === undefined) {
      nextFetchAt = Date.now() + SESSION_CONFIG_RETRY_MS
      logOnce('not-json', 'the session-config answer is not JSON')
      return
    }
    nextFetchAt = Date.now() + SESSION_CONFIG_TTL_MS
    if (advertised === 'absent') {
      logOnce('absent', 'the session-config answer has no usable "sessionTokenCookieConfig"')
      return
    }
    attributes = Object.freeze({
      ...s.configured,
      ...Object.fromEntries(
        Object.entries(advertised).filter(
          ([name]) => !explicit.has(name as keyof typeof advertised),
        ),
      ),
    })
  }

  return {
    current: () => attributes,
    refreshIfStale(now) {
      if (inFlight !== undefined || now < nextFetchAt) return
      inFlight = load().finally(() => {
        inFlight = undefined
        fetchedOnce = true
      })
    },
    pendingFirstFetch: () => (fetchedOnce ? undefined : inFlight),
  }
}

type Advertised = Pick<CookieAttributes, (typeof ADVERTISED)[number]>

/**
 * The cookie attributes of a session-config answer (`sessionTokenCookieConfig`, else the
 * deprecated `shortSessionCookieConfig`); `'absent'` when it has none that is usable, `undefined`
 * when the body is not JSON.
 */
export function advertisedAttributes(body: string): Advertised | 'absent' | undefined {
  let json: unknown
  try {
    json = JSON.parse(body)
  } catch {
    return undefined
  }
  if (!isObject(json)) return 'absent'
  const config = isObject(json.sessionTokenCookieConfig)
    ? json.sessionTokenCookieConfig
    : json.shortSessionCookieConfig
  if (!isObject(config)) return 'absent'
  const { domain, path, secure } = config
  const sameSite = typeof config.sameSite === 'string' ? config.sameSite.toLowerCase() : undefined
  const valid =
    typeof domain === 'string' &&
    (domain === '' || (ATTRIBUTE_VALUE.test(domain) && !/[/\s]/.test(domain))) &&
    typeof path === 'string' &&
    path.startsWith('/') &&
    ATTRIBUTE_VALUE.test(path) &&
    typeof secure === 'boolean' &&
    (sameSite === 'lax' || sameSite === 'strict' || (sameSite === 'none' && secure))
  if (!valid) return 'absent'
  // The SDK writes `domain=` (empty) as no Domain attribute: a host-only cookie.
  return { domain: domain === '' ? undefined : domain, path, secure, sameSite }
}

function explicitAttributes(input: unknown): ReadonlySet<(typeof ADVERTISED)[number]> {
  if (!isObject(input)) return new Set()
  return new Set(ADVERTISED.filter((name) => input[name] !== undefined))
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
