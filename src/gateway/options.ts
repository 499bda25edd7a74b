/**
 * The options of `corbadoGateway`, their defaults, and their validation (once, at construction).
 *
 * @module
 */
import { InvalidOptionError } from '../core/errors.js'
import { ATTRIBUTE_VALUE } from '../core/options.js'
import { resolveFrontendApiUrl, resolveProjectId } from '../core/project-options.js'
import { resolvePublicUrl } from './frontend-api-url.js'
import { integer, isPlainObject, rejectUnknownKeys, resolveLogger } from '../core/validate.js'
import type { KeysEnum } from '../core/validate.js'
import type { Logger } from '../core/types.js'

/** Options of `corbadoGateway`. Only `projectId` is required. */
export interface GatewayOptions {
  /** Your Corbado project ID, `pro-<digits>`. Required. */
  projectId: string
  /**
   * The Frontend API the gateway forwards to. Default
   * `https://<projectId>.frontendapi.cloud.corbado.io`.
   */
  frontendApiUrl?: string
  /**
   * `Domain` given to the Corbado cookies the Frontend API sets, e.g. `'example.com'` to share them
   * with subdomains. Default: none, which makes them host-only cookies of the app's host.
   */
  cookieDomain?: string
  /**
   * `Path` given to the Corbado cookies the Frontend API sets. Default `'/'`, so that the
   * refresh-token reaches the keep-alive on every request of the app, not only the gateway's.
   */
  cookiePath?: string
  /**
   * The absolute URL at which browsers reach the gateway, e.g.
   * `'https://app.example.com/.corbado'`. The `frontendApiUrl` field of the Frontend API's JSON
   * answers (`/v2/session-config`, `/v2/process-config`, the login flow's) is set to it, which
   * makes Corbado's browser SDK send refresh, logout and login through the gateway, with the
   * first-party refresh cookie. Default: none, and a warning at start-up, because the SDK then
   * bypasses the gateway after its first call.
   */
  publicUrl?: string
  /**
   * Upper bound, in milliseconds, on the Frontend API's silence: connecting, answering, and any
   * pause while a body streams. Past it the gateway answers `504` (or, when the response has
   * started, cuts it). Default `10000`.
   */
  timeoutMs?: number
  /**
   * Upper bound, in milliseconds, on one whole exchange with the Frontend API: connecting,
   * answering and the response body to its end, however steadily bytes trickle in (`timeoutMs`
   * bounds only each silence). Past it the gateway answers `504` (or, when the response has
   * started, cuts it). An integer from 1 to 600000. Default `30000`.
   */
  totalTimeoutMs?: number
  /**
   * Receives a warning for each upstream failure (pino-compatible). Default: silent. Never given a
   * cookie or token.
   */
  logger?: Logger
}

/** Defaults of {@link GatewayOptions}. */
export const GATEWAY_DEFAULTS = Object.freeze({
  cookiePath: '/',
  timeoutMs: 10_000,
  totalTimeoutMs: 30_000,
})

/** {@link GatewayOptions} after validation and defaulting; each field as documented there. */
export interface ResolvedGatewayOptions {
  readonly projectId: string
  /** Without a trailing slash. */
  readonly frontendApiUrl: string
  /** `undefined`: host-only cookies. */
  readonly cookieDomain: string | undefined
  readonly cookiePath: string
  /** Without a trailing slash; `undefined`: answers are not rewritten. */
  readonly publicUrl: string | undefined
  readonly timeoutMs: number
  readonly totalTimeoutMs: number
  readonly logger: Logger | undefined
}

const GATEWAY_KEYS: KeysEnum<GatewayOptions> = {
  projectId: true,
  frontendApiUrl: true,
  cookieDomain: true,
  cookiePath: true,
  publicUrl: true,
  timeoutMs: true,
  totalTimeoutMs: true,
  logger: true,
}

/**
 * Validate `options` and apply defaults. Throws {@link InvalidOptionError} naming the first bad
 * option. The caller's object is never modified.
 */
export function resolveGatewayOptions(options: GatewayOptions): ResolvedGatewayOptions {
  if (!isPlainObject(options)) {
    throw new InvalidOptionError('options', 'must be an object with at least "projectId"', options)
  }
  rejectUnknownKeys(options, GATEWAY_KEYS, '')
  const projectId = resolveProjectId(options.projectId)
  const frontendApiUrl = resolveFrontendApiUrl(options.frontendApiUrl, projectId)

  const cookieDomain: unknown = options.cookieDomain
  if (
    cookieDomain !== undefined &&
    (typeof cookieDomain !== 'string' ||
      !ATTRIBUTE_VALUE.test(cookieDomain) ||
      /[/\s]/.test(cookieDomain))
  ) {
    throw new InvalidOptionError(
      'cookieDomain',
      'must be a host name such as "example.com"',
      cookieDomain,
    )
  }
  const cookiePath: unknown = options.cookiePath ?? GATEWAY_DEFAULTS.cookiePath
  if (
    typeof cookiePath !== 'string' ||
    !cookiePath.startsWith('/') ||
    !ATTRIBUTE_VALUE.test(cookiePath)
  ) {
    throw new InvalidOptionError(
      'cookiePath',
      'must be a path starting with "/", without ";" or control characters',
      cookiePath,
    )
  }
  return Object.freeze({
    projectId,
    frontendApiUrl,
    cookieDomain,
    cookiePath,
    publicUrl: resolvePublicUrl(options.publicUrl),
    timeoutMs: integer('timeoutMs', options.timeoutMs, GATEWAY_DEFAULTS.timeoutMs, 1, 600_000),
    totalTimeoutMs: integer(
      'totalTimeoutMs',
      options.totalTimeoutMs,
      GATEWAY_DEFAULTS.totalTimeoutMs,
      1,
      600_000,
    ),
    logger: resolveLogger(options.logger),
  })
}
