/**
 * Validation and defaults of {@link FakeCorbadoOptions}, with the package's shared option checks.
 *
 * @module
 */
import { InvalidOptionError } from '../core/errors.js'
import { resolveProjectId } from '../core/project-options.js'
import { integer, isPlainObject, positiveInteger } from '../core/validate.js'
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

/** Apply defaults; throw an {@link InvalidOptionError} naming the first invalid option. */
export function validateOptions(options: FakeCorbadoOptions): ResolvedOptions {
  const given: unknown = options
  if (!isPlainObject(given)) {
    throw new InvalidOptionError('options', 'must be an object', options)
  }
  const { host = '127.0.0.1', issuer, cookieDomain, authorizedOrigins } = options
  const projectId = resolveProjectId(options.projectId ?? 'pro-1234567890')
  if (typeof host !== 'string' || host === '') {
    throw new InvalidOptionError('host', 'must be a non-empty string', host)
  }
  if (issuer !== undefined && (typeof issuer !== 'string' || issuer === '')) {
    throw new InvalidOptionError('issuer', 'must be a non-empty string', issuer)
  }
  if (cookieDomain !== undefined) {
    try {
      refreshCookie('probe', undefined, cookieDomain)
    } catch {
      throw new InvalidOptionError('cookieDomain', 'must be a valid cookie domain', cookieDomain)
    }
  }
  return {
    projectId,
    sessionLifetimeSeconds: positiveInteger(
      'sessionLifetimeSeconds',
      options.sessionLifetimeSeconds,
      300,
    ),
    port: integer('port', options.port, 0, 0, 65_535),
    host,
    issuer,
    cookieDomain,
    authorizedOrigins: resolveOrigins(authorizedOrigins),
  }
}

function resolveOrigins(origins: unknown): ReadonlySet<string> | undefined {
  if (origins === undefined) return undefined
  if (!Array.isArray(origins)) {
    throw new InvalidOptionError('authorizedOrigins', 'must be an array of origins', origins)
  }
  for (const origin of origins as unknown[]) {
    const parsed = typeof origin === 'string' ? URL.parse(origin) : null
    if (parsed === null || parsed.origin !== origin) {
      throw new InvalidOptionError(
        'authorizedOrigins',
        'must hold origins such as "https://app.example.com"',
        origin,
      )
    }
  }
  return new Set(origins as string[])
}
