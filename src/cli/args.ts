/**
 * The command line: `corbado-keepalive proxy --target <url> --project-id <id> [options]`, each flag
 * falling back to an environment variable. Parsing only; nothing starts here.
 *
 * @module
 */
import { parseArgs } from 'node:util'
import { InvalidOptionError } from '../core/errors.js'
import { INTEGER_RANGES } from '../core/options.js'
import { integer as integerOption, rejectUnknownKeys } from '../core/validate.js'
import type { LogLevel } from './log.js'
import { LOG_LEVELS } from './log.js'

/** A command line the user got wrong: printed with a pointer to `--help`, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'UsageError'
  }
}

/** Everything `corbado-keepalive proxy` runs with, validated. */
export interface ProxyConfig {
  /** The backend every request is forwarded to. */
  readonly target: URL
  /** The Corbado project ID; validated by the keep-alive when the proxy starts. */
  readonly projectId: string
  /** `undefined`: the keep-alive's default for the project. */
  readonly frontendApiUrl: string | undefined
  /** `0` picks a free port. */
  readonly port: number
  /** `undefined`: every interface. */
  readonly host: string | undefined
  /** Where the gateway is served, without a trailing slash; `undefined`: no gateway. */
  readonly gatewayPath: string | undefined
  /** Where browsers reach the gateway (its `publicUrl`); `undefined`: not rewritten. */
  readonly gatewayPublicUrl: string | undefined
  /** `Domain` of the session and refresh cookies; `undefined`: host-only. */
  readonly cookieDomain: string | undefined
  /** Answered by the proxy itself, never forwarded. */
  readonly healthPath: string
  /** Where the proxy serves its metrics in Prometheus' text format; `undefined`: nowhere. */
  readonly metricsPath: string | undefined
  /** Upper bound on the backend's silence, milliseconds. */
  readonly timeoutMs: number
  /** How long in-flight requests may take to finish on SIGTERM/SIGINT, milliseconds. */
  readonly shutdownTimeoutMs: number
  /** The least severe level logged. */
  readonly logLevel: LogLevel
  /**
   * `false` (default): the proxy is the edge and overwrites `X-Forwarded-For`, `-Proto`, `-Host`
   * and `Forwarded` with what it saw, and the refresh rate limit counts the socket's address.
   * `true`: a trusted proxy stands in front; the proxy appends to those headers instead, and the
   * rate limit counts the last `X-Forwarded-For` entry (the address that proxy saw).
   */
  readonly trustProxy: boolean
  /** `true`: the health path also answers uptime and the keep-alive's counters. Default `false`. */
  readonly healthDetails: boolean
  /**
   * The Redis that coordinates refreshes between several proxy instances (a `RedisCoordinator`
   * over an ioredis client); `undefined`: in-process coordination.
   */
  readonly redisUrl: string | undefined
  /** The `RedisCoordinator`'s `keyPrefix`; `undefined`: its default. */
  readonly redisKeyPrefix: string | undefined
  /** The keep-alive's `refreshBeforeExpirySeconds`; `undefined`: its default. */
  readonly refreshBeforeExpirySeconds: number | undefined
  /** The keep-alive's `refreshTimeoutMs`; `undefined`: its default. */
  readonly refreshTimeoutMs: number | undefined
  /** The keep-alive's `refreshConcurrency`; `undefined`: its default. */
  readonly refreshConcurrency: number | undefined
  /** The keep-alive's `refreshRateLimit.perClientPerMinute`; `undefined`: its default. */
  readonly refreshRateLimitPerClientPerMinute: number | undefined
  /** The keep-alive's `refreshRateLimit.unprovenPerSecond`; `undefined`: its default. */
  readonly refreshRateLimitUnprovenPerSecond: number | undefined
}

/** What the command line asks for. */
export type Command =
  | { readonly kind: 'help'; readonly text: string }
  | { readonly kind: 'proxy'; readonly config: ProxyConfig }

interface Flag {
  readonly env: string
  /** `''` for a boolean flag, which takes no value. */
  readonly value: string
  readonly help: string
}

/** The flags of `proxy`, each with its environment variable. */
export const FLAGS = {
  target: {
    env: 'CORBADO_KEEPALIVE_TARGET',
    value: '<url>',
    help: 'the backend to forward to, e.g. http://127.0.0.1:3000 (required)',
  },
  'project-id': {
    env: 'CORBADO_PROJECT_ID',
    value: '<id>',
    help: 'your Corbado project ID, pro-<digits> (required)',
  },
  'frontend-api-url': {
    env: 'CORBADO_FRONTEND_API_URL',
    value: '<url>',
    help: 'the Frontend API; default https://<project-id>.frontendapi.cloud.corbado.io',
  },
  port: { env: 'PORT', value: '<n>', help: 'port to listen on; 0 picks a free one; default 8080' },
  host: {
    env: 'CORBADO_KEEPALIVE_HOST',
    value: '<address>',
    help: 'address to listen on; default every interface',
  },
  'gateway-path': {
    env: 'CORBADO_KEEPALIVE_GATEWAY_PATH',
    value: '<path>',
    help: 'also serve the Frontend API at this path, e.g. /.corbado; default off',
  },
  'gateway-public-url': {
    env: 'CORBADO_KEEPALIVE_GATEWAY_PUBLIC_URL',
    value: '<url>',
    help: 'where browsers reach the gateway, e.g. https://app.example.com/.corbado',
  },
  'cookie-domain': {
    env: 'CORBADO_KEEPALIVE_COOKIE_DOMAIN',
    value: '<domain>',
    help: 'Domain of the session and refresh cookies; default host-only',
  },
  'health-path': {
    env: 'CORBADO_KEEPALIVE_HEALTH_PATH',
    value: '<path>',
    help: 'answered by the proxy itself, never forwarded; default /healthz',
  },
  'metrics-path': {
    env: 'CORBADO_KEEPALIVE_METRICS_PATH',
    value: '<path>',
    help: 'serve Prometheus metrics at this path, e.g. /metrics; never forwarded; default off',
  },
  'timeout-ms': {
    env: 'CORBADO_KEEPALIVE_TIMEOUT_MS',
    value: '<ms>',
    help: 'longest silence of the backend before a 504; default 60000',
  },
  'shutdown-timeout-ms': {
    env: 'CORBADO_KEEPALIVE_SHUTDOWN_TIMEOUT_MS',
    value: '<ms>',
    help: 'time in-flight requests get on SIGTERM/SIGINT; default 10000',
  },
  'log-level': {
    env: 'CORBADO_KEEPALIVE_LOG_LEVEL',
    value: '<level>',
    help: `${LOG_LEVELS.join(', ')}; default info`,
  },
  'trust-proxy': {
    env: 'CORBADO_KEEPALIVE_TRUST_PROXY',
    value: '',
    help: 'a trusted proxy stands in front: append to X-Forwarded-*/Forwarded instead of overwriting them, and rate-limit by its X-Forwarded-For; default off',
  },
  'health-details': {
    env: 'CORBADO_KEEPALIVE_HEALTH_DETAILS',
    value: '',
    help: 'the health path also answers uptime and counters; default off (only the status)',
  },
  'redis-url': {
    env: 'CORBADO_KEEPALIVE_REDIS_URL',
    value: '<url>',
    help: 'coordinate refreshes between several proxy instances through this Redis, e.g. redis://127.0.0.1:6379 (needs ioredis installed); default in-process',
  },
  'redis-key-prefix': {
    env: 'CORBADO_KEEPALIVE_REDIS_KEY_PREFIX',
    value: '<prefix>',
    help: 'prefix of the keys written to Redis; default corbado-keepalive:',
  },
  'refresh-before-expiry-seconds': {
    env: 'CORBADO_KEEPALIVE_REFRESH_BEFORE_EXPIRY_SECONDS',
    value: '<s>',
    help: 'refresh when the session-token expires in at most this many seconds; default 60',
  },
  'refresh-timeout-ms': {
    env: 'CORBADO_KEEPALIVE_REFRESH_TIMEOUT_MS',
    value: '<ms>',
    help: 'longest a request waits for a refresh; default 3000',
  },
  'refresh-concurrency': {
    env: 'CORBADO_KEEPALIVE_REFRESH_CONCURRENCY',
    value: '<n>',
    help: 'most upstream refresh calls at once; the others wait their turn; default 8',
  },
  'refresh-rate-limit-per-client-per-minute': {
    env: 'CORBADO_KEEPALIVE_REFRESH_RATE_LIMIT_PER_CLIENT_PER_MINUTE',
    value: '<n>',
    help: 'refreshRateLimit.perClientPerMinute: rejected refreshes per minute for one client; default 30',
  },
  'refresh-rate-limit-unproven-per-second': {
    env: 'CORBADO_KEEPALIVE_REFRESH_RATE_LIMIT_UNPROVEN_PER_SECOND',
    value: '<n>',
    help: 'refreshRateLimit.unprovenPerSecond: rejected refreshes per second, all clients without a verified session; default 20',
  },
} as const satisfies Record<string, Flag>

/** The flags that take no value; their variables take true, false, 1 or 0. */
const BOOLEAN_FLAGS = ['trust-proxy', 'health-details'] as const
type BooleanFlag = (typeof BOOLEAN_FLAGS)[number]

type FlagName = keyof typeof FLAGS

/** Defaults of the flags that have one. */
export const CLI_DEFAULTS: {
  readonly port: number
  readonly healthPath: string
  readonly timeoutMs: number
  readonly shutdownTimeoutMs: number
  /** The least severe level logged. */
  readonly logLevel: LogLevel
} = Object.freeze({
  port: 8080,
  healthPath: '/healthz',
  timeoutMs: 60_000,
  shutdownTimeoutMs: 10_000,
  logLevel: 'info',
})

/** `corbado-keepalive --help`. */
export const USAGE = `Usage: corbado-keepalive proxy --target <url> --project-id <id> [options]

Commands:
  proxy    a reverse proxy that keeps Corbado sessions alive in front of any backend

Run "corbado-keepalive proxy --help" for its options.
`

/** `corbado-keepalive proxy --help`. */
export const PROXY_USAGE = `Usage: corbado-keepalive proxy --target <url> --project-id <id> [options]

A reverse proxy in front of any backend. Every request passes through the Corbado keep-alive: a
session-token near expiry is refreshed, the backend receives the fresh token in the Cookie header,
and the browser receives it as a Set-Cookie next to the backend's own.

Options (each flag falls back to the environment variable on its right):
${(Object.entries(FLAGS) as [FlagName, Flag][])
  .map(
    ([name, flag]) =>
      `  --${`${name} ${flag.value}`.trimEnd().padEnd(28)} ${flag.env}\n      ${flag.help}`,
  )
  .join('\n')}
  -h, --help
      print this help

Health: GET ${CLI_DEFAULTS.healthPath} (--health-path) answers 200 {"status":"ok"} (503 while shutting
down); with --health-details also uptime and counters.
Signals: SIGTERM and SIGINT stop accepting connections and let in-flight requests finish.
`

/**
 * Parse `argv` (without `node` and the script) with `env` as fallback.
 *
 * @throws {UsageError} for an unknown command or flag, a missing or invalid value.
 */
export function parseCommandLine(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): Command {
  let parsed: ReturnType<typeof parseFlags>
  try {
    parsed = parseFlags(argv)
  } catch (error) {
    throw usageErrorOf(error)
  }
  const [command, ...extra] = parsed.positionals
  if (command === undefined) {
    if (parsed.values.help === true) return { kind: 'help', text: USAGE }
    throw new UsageError('a command is required: "proxy"')
  }
  if (command !== 'proxy')
    throw new UsageError(`unknown command "${command}"; the command is "proxy"`)
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0] ?? ''}"`)
  if (parsed.values.help === true) return { kind: 'help', text: PROXY_USAGE }

  const read = (name: Exclude<FlagName, BooleanFlag>): string | undefined => {
    const value = parsed.values[name] ?? env[FLAGS[name].env]
    return value === undefined || value === '' ? undefined : value
  }
  const healthPath = path('health-path', read('health-path')) ?? CLI_DEFAULTS.healthPath
  const gatewayPath = path('gateway-path', read('gateway-path'))
  if (gatewayPath === '') throw new UsageError('"--gateway-path" must not be "/"')
  if (gatewayPath !== undefined && (healthPath + '/').startsWith(gatewayPath + '/')) {
    throw new UsageError(
      `"--health-path" ("${healthPath}") must not lie below "--gateway-path" ("${gatewayPath}")`,
    )
  }
  const metricsPath = path('metrics-path', read('metrics-path'))
  if (
    gatewayPath !== undefined &&
    metricsPath !== undefined &&
    (metricsPath + '/').startsWith(gatewayPath + '/')
  ) {
    throw new UsageError(
      `"--metrics-path" ("${metricsPath}") must not lie below "--gateway-path" ("${gatewayPath}")`,
    )
  }
  // The health path is answered first: metrics at the same path would never be served.
  if (metricsPath !== undefined && metricsPath === healthPath) {
    throw new UsageError(
      `"--metrics-path" must differ from "--health-path" (both are "${metricsPath || '/'}")`,
    )
  }
  return {
    kind: 'proxy',
    config: {
      target: target(read('target')),
      projectId: required('project-id', read('project-id')),
      frontendApiUrl: read('frontend-api-url'),
      port: integer('port', read('port'), CLI_DEFAULTS.port, 0, 65_535),
      host: read('host'),
      gatewayPath,
      gatewayPublicUrl: read('gateway-public-url'),
      cookieDomain: read('cookie-domain'),
      healthPath: healthPath === '' ? '/' : healthPath,
      metricsPath: metricsPath === '' ? '/' : metricsPath,
      timeoutMs: integer('timeout-ms', read('timeout-ms'), CLI_DEFAULTS.timeoutMs, 1, 3_600_000),
      shutdownTimeoutMs: integer(
        'shutdown-timeout-ms',
        read('shutdown-timeout-ms'),
        CLI_DEFAULTS.shutdownTimeoutMs,
        0,
        3_600_000,
      ),
      logLevel: logLevel(read('log-level')),
      trustProxy: flagOn('trust-proxy', parsed.values['trust-proxy'], env),
      healthDetails: flagOn('health-details', parsed.values['health-details'], env),
      redisUrl: redisUrl(read('redis-url')),
      redisKeyPrefix: read('redis-key-prefix'),
      refreshBeforeExpirySeconds: keepAliveInteger(
        'refreshBeforeExpirySeconds',
        read('refresh-before-expiry-seconds'),
      ),
      refreshTimeoutMs: keepAliveInteger('refreshTimeoutMs', read('refresh-timeout-ms')),
      refreshConcurrency: keepAliveInteger('refreshConcurrency', read('refresh-concurrency')),
      refreshRateLimitPerClientPerMinute: keepAliveInteger(
        'refreshRateLimit.perClientPerMinute',
        read('refresh-rate-limit-per-client-per-minute'),
      ),
      refreshRateLimitUnprovenPerSecond: keepAliveInteger(
        'refreshRateLimit.unprovenPerSecond',
        read('refresh-rate-limit-unproven-per-second'),
      ),
    },
  }
}

/** A boolean flag: given, or its variable set to `true`/`1` (`false`, `0` or empty: off). */
function flagOn(
  name: BooleanFlag,
  given: boolean | undefined,
  env: Readonly<Record<string, string | undefined>>,
): boolean {
  if (given === true) return true
  const value = env[FLAGS[name].env]
  if (value === undefined || value === '' || value === 'false' || value === '0') return false
  if (value === 'true' || value === '1') return true
  throw new UsageError(
    `"--${name}" (${FLAGS[name].env}) must be true, false, 1 or 0, got ${JSON.stringify(value)}`,
  )
}

/** The flag an option of the keep-alive or the gateway comes from, for error messages. */
export const FLAG_OF_OPTION: Readonly<Record<string, FlagName>> = {
  projectId: 'project-id',
  frontendApiUrl: 'frontend-api-url',
  cookieDomain: 'cookie-domain',
  'cookie.domain': 'cookie-domain',
  publicUrl: 'gateway-public-url',
  keyPrefix: 'redis-key-prefix',
  refreshBeforeExpirySeconds: 'refresh-before-expiry-seconds',
  refreshTimeoutMs: 'refresh-timeout-ms',
  refreshConcurrency: 'refresh-concurrency',
  'refreshRateLimit.perClientPerMinute': 'refresh-rate-limit-per-client-per-minute',
  'refreshRateLimit.unprovenPerSecond': 'refresh-rate-limit-unproven-per-second',
}

/**
 * Restate an {@link InvalidOptionError} of the keep-alive, gateway or Redis coordinator in terms
 * of flags, from its `option`, `reason` and `received`.
 */
export function usageErrorOfOption(error: InvalidOptionError): UsageError {
  const flag = FLAG_OF_OPTION[error.option]
  const subject = flag === undefined ? `"${error.option}"` : `"--${flag}" (${FLAGS[flag].env})`
  const received = error.received === undefined ? '' : `, got ${error.received}`
  return new UsageError(`${subject} ${error.reason}${received}`)
}

/** A flag's value as a number when it is digits, else as given (and then rejected, shown). */
function numberOf(value: string): number | string {
  return /^\d+$/.test(value) ? Number(value) : value
}

/** An integer option of the keep-alive, checked by the keep-alive's own validator. */
function keepAliveInteger(
  option: keyof typeof INTEGER_RANGES,
  value: string | undefined,
): number | undefined {
  if (value === undefined) return undefined
  const [min, max]: readonly [number, number] = INTEGER_RANGES[option]
  try {
    return integerOption(option, numberOf(value), 0, min, max)
  } catch (error) {
    throw error instanceof InvalidOptionError ? usageErrorOfOption(error) : error
  }
}

/** A `redis:` or `rediss:` URL; never shown in a message, since it may hold a password. */
function redisUrl(value: string | undefined): string | undefined {
  if (value === undefined) return undefined
  const url = URL.parse(value)
  if (url === null || (url.protocol !== 'redis:' && url.protocol !== 'rediss:')) {
    throw new UsageError(
      `"--redis-url" (${FLAGS['redis-url'].env}) must be a redis:// or rediss:// URL such as "redis://127.0.0.1:6379"`,
    )
  }
  return value
}

function parseFlags(argv: readonly string[]) {
  const options = Object.fromEntries(
    Object.keys(FLAGS).map((name) => [name, { type: 'string' as const }]),
  ) as Record<Exclude<FlagName, BooleanFlag>, { type: 'string' }>
  const booleans = Object.fromEntries(
    BOOLEAN_FLAGS.map((name) => [name, { type: 'boolean' as const }]),
  ) as Record<BooleanFlag, { type: 'boolean' }>
  return parseArgs({
    args: [...argv],
    options: { ...options, ...booleans, help: { type: 'boolean', short: 'h' } },
    strict: true,
    allowPositionals: true,
  })
}

function usageErrorOf(error: unknown): Error {
  if (!(error instanceof TypeError))
    return error instanceof Error ? error : new Error(String(error))
  const code = (error as NodeJS.ErrnoException).code
  const flag = /'(-[^' ]+)/.exec(error.message)?.[1] ?? ''
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const name = flag.replace(/^-+/, '').split('=', 1)[0] ?? ''
    try {
      // The option validation's did-you-mean hint, over the flag names.
      rejectUnknownKeys({ [name]: true }, { ...FLAGS, help: true }, '--')
    } catch (unknown) {
      if (unknown instanceof InvalidOptionError)
        return new UsageError(`"${flag}" ${unknown.reason}`)
    }
    return new UsageError(`"${flag}" is not an option`)
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    if (error.message.includes('does not take an argument')) {
      return new UsageError(`"${flag.split('=', 1)[0] ?? flag}" takes no value`)
    }
    return new UsageError(`"${flag}" needs a value`)
  }
  return new UsageError(error.message)
}

function required(name: FlagName, value: string | undefined): string {
  if (value === undefined) {
    throw new UsageError(`"--${name}" is required (or set ${FLAGS[name].env})`)
  }
  return value
}

function target(value: string | undefined): URL {
  let url: URL
  try {
    url = new URL(required('target', value))
  } catch (error) {
    if (error instanceof UsageError) throw error
    throw new UsageError('"--target" must be an absolute URL such as "http://127.0.0.1:3000"')
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError('"--target" must be an http(s) URL')
  }
  if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
    throw new UsageError('"--target" must not contain credentials, a query or a fragment')
  }
  return url
}

function integer(
  name: FlagName,
  value: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined) return fallback
  try {
    return integerOption(`--${name}`, numberOf(value), fallback, min, max)
  } catch (error) {
    if (!(error instanceof InvalidOptionError)) throw error
    throw new UsageError(`"--${name}" (${FLAGS[name].env}) ${error.reason}, got ${error.received}`)
  }
}

/** A path starting with `/`, returned without trailing slashes (`'/'` becomes `''`). */
function path(name: FlagName, value: string | undefined): string | undefined {
  if (value === undefined) return undefined
  if (!/^\/[\x21-\x7e]*$/.test(value) || value.includes('?') || value.includes('#')) {
    throw new UsageError(
      `"--${name}" must be a path starting with "/", e.g. "/.corbado", got ${JSON.stringify(value)}`,
    )
  }
  return value.replace(/\/+$/, '')
}

function logLevel(value: string | undefined): LogLevel {
  if (value === undefined) return CLI_DEFAULTS.logLevel
  const level = LOG_LEVELS.find((known) => known === value)
  if (level === undefined) {
    throw new UsageError(
      `"--log-level" must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(value)}`,
    )
  }
  return level
}
