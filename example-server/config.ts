/**
 * The demo's settings, read from the environment.
 *
 * @module
 */

/** Which Frontend API the demo talks to. */
export type ProviderConfig =
  | {
      /** The in-process fake Frontend API: no account, no network. */
      readonly kind: 'fake'
    }
  | {
      /** A real Corbado project. */
      readonly kind: 'corbado'
      readonly projectId: string
      /** `undefined`: the package's default, `https://<projectId>.frontendapi.cloud.corbado.io`. */
      readonly frontendApiUrl: string | undefined
    }

/** Everything `npm start` needs to start the demo. */
export interface DemoConfig {
  readonly provider: ProviderConfig
  /** TCP port of the demo app; `0` picks a free one. */
  readonly port: number
  /**
   * `Secure` attribute of the cookies the demo writes. Chromium and Firefox accept Secure
   * cookies on `http://localhost`, so the demo keeps the package's production default; curl and
   * some browsers (Safari) do not, hence the switch.
   */
  readonly secureCookies: boolean
}

/** A variable of the demo's environment holds a value it cannot use; the message names both. */
export class DemoConfigError extends Error {
  override readonly name = 'DemoConfigError'
}

/**
 * Read the demo's settings: `CORBADO_PROJECT_ID` (switches from the fake to a real project),
 * `CORBADO_FRONTEND_API_URL`, `PORT` (default 3000), `DEMO_SECURE_COOKIES` (`false` to drop `Secure`).
 *
 * @throws {DemoConfigError} naming the variable when a value is invalid.
 */
export function loadConfig(env: NodeJS.ProcessEnv): DemoConfig {
  const projectId = nonEmpty(env.CORBADO_PROJECT_ID)
  const frontendApiUrl = nonEmpty(env.CORBADO_FRONTEND_API_URL)
  if (projectId === undefined && frontendApiUrl !== undefined) {
    throw new DemoConfigError('CORBADO_FRONTEND_API_URL needs CORBADO_PROJECT_ID as well')
  }
  return {
    provider:
      projectId === undefined ? { kind: 'fake' } : { kind: 'corbado', projectId, frontendApiUrl },
    port: portFrom(env.PORT, 3000),
    secureCookies: env.DEMO_SECURE_COOKIES !== 'false',
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim()
  return trimmed === undefined || trimmed === '' ? undefined : trimmed
}

/**
 * The port `PORT` names, or `fallback` when it is unset or empty.
 *
 * @throws {DemoConfigError} when it is not an integer from 0 to 65535.
 */
export function portFrom(value: string | undefined, fallback: number): number {
  if (nonEmpty(value) === undefined) return fallback
  const parsed = Number(value)
  if (!Number.isInteger(parsed) || parsed < 0 || parsed > 65_535) {
    throw new DemoConfigError(`PORT must be an integer from 0 to 65535, got "${String(value)}"`)
  }
  return parsed
}

/**
 * What `read` returns; when it throws a {@link DemoConfigError}, print its message as one line and
 * exit with code 1. Anything else is rethrown.
 */
export function orExitOnConfigError<T>(read: () => T): T {
  try {
    return read()
  } catch (error) {
    if (!(error instanceof DemoConfigError)) throw error
    console.error(`corbado-keepalive demo: ${error.message}`)
    process.exit(1)
  }
}
