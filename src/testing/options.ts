/**
 * Validation and defaults of {@link FakeCorbadoOptions}.
 *
 * @module
 */
import { refreshCookie } from './http.js'
import type { FakeCorbadoOptions } from './types.js'

/** Options with defaults applied; `issuer` stays unset until the URL is known. */
export interface ResolvedOptions {
  projectId: string
  sessionLifetimeSeconds: number
  port: number
  host: string
  issuer: string | undefined
  cookieDomain: string | undefined
  /** `undefined`: every origin. */
  authorizedOrigins: ReadonlySet<string> | undefined
}

/** Apply defaults; throw a `TypeError`/`RangeError` naming the first invalid option. */
export function validateOptions(options: FakeCorbadoOptions): ResolvedOptions {
  const {
    projectId = 'pro-1234567890',
    sessionLifetimeSeconds = 300,
    port = 0,
    host = '127.0.0.1',
    issuer,
    cookieDomain,
    authorizedOrigins,
  } = options
  if (typeof projectId !== 'string' || !/^pro-\d+$/.test(projectId)) {
    throw new TypeError(
      `options.projectId must look like "pro-<digits>", got ${JSON.stringify(projectId)}`,
    )
  }
  if (!Number.isSafeInteger(sessionLifetimeSeconds) || sessionLifetimeSeconds <= 0) {
    throw new RangeError(
      `options.sessionLifetimeSeconds must be a positive integer, got ${sessionLifetimeSeconds}`,
    )
  }
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(`options.port must be an integer in 0-65535, got ${port}`)
  }
  if (typeof host !== 'string' || host === '') {
    throw new TypeError('options.host must be a non-empty string')
  }
  if (issuer !== undefined && (typeof issuer !== 'string' || issuer === '')) {
    throw new TypeError('options.issuer must be a non-empty string')
  }
  if (cookieDomain !== undefined) {
    try {
      refreshCookie('probe', undefined, cookieDomain)
    } catch {
      throw new TypeError(`options.cookieDomain is not a valid cookie domain: ${cookieDomain}`)
    }
  }
  return {
    projectId,
    sessionLifetimeSeconds,
    port,
    host,
    issuer,
    cookieDomain,
    authorizedOrigins: resolveOrigins(authorizedOrigins),
  }
}

function resolveOrigins(origins: unknown): ReadonlySet<string> | undefined {
  if (origins === undefined) return undefined
  if (!Array.isArray(origins)) {
    throw new TypeError(`options.authorizedOrigins must be an array, got ${typeof origins}`)
  }
  for (const origin of origins as unknown[]) {
    const parsed = typeof origin === 'string' ? URL.parse(origin) : null
    if (parsed === null || parsed.origin !== origin) {
      throw new TypeError(
        `options.authorizedOrigins: each must be an origin such as "https://app.example.com", got ${JSON.stringify(origin)}`,
      )
    }
  }
  return new Set(origins as string[])
}
