/**
 * The command line: `corbado-keepalive proxy --target <url> --project-id <id> [options]`, each flag
 * falling back to an environment variable. Parsing only; nothing starts here.
 *
 * @module
 */
import { parseArgs } from 'node:util'
import { InvalidOptionError } from '../core/errors.js'
import { rejectUnknownKeys } from '../core/validate.js'
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
}

/** What the command line asks for. */
export type Command =
  | { readonly kind: 'help'; readonly text: string }
  | { readonly kind: 'proxy'; readonly config: ProxyConfig }

interface Flag {
  readonly env: string
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
} as const satisfies Record<string, Flag>

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
    ([name, flag]) => `  --${`${name} ${flag.value}`.padEnd(28)} ${flag.env}\n      ${flag.help}`,
  )
  .join('\n')}
  -h, --help
      print this help

Health: GET /healthz answers 200 {"status":"ok",...} (503 while shutting down).
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

  const read = (name: FlagName): string | undefined => {
    const value = parsed.values[name] ?? env[FLAGS[name].env]
    return value === undefined || value === '' ? undefined : value
  }
  const healthPath = path('health-path', read('health-path')) ?? CLI_DEFAULTS.healthPath
  const gatewayPath = path('gateway-path', read('gateway-path'))
  if (gatewayPath === '') throw new UsageError('"--gateway-path" must not be "/"')
  if (gatewayPath !== undefined && (healthPath + '/').startsWith(gatewayPath + '/')) {
    throw new UsageError('"--health-path" must not lie below "--gateway-path"')
  }
  const metricsPath = path('metrics-path', read('metrics-path'))
  if (
    gatewayPath !== undefined &&
    metricsPath !== undefined &&
    (metricsPath + '/').startsWith(gatewayPath + '/')
  ) {
    throw new UsageError('"--metrics-path" must not lie below "--gateway-path"')
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
    },
  }
}

/** The flag an option of the keep-alive or the gateway comes from, for error messages. */
export const FLAG_OF_OPTION: Readonly<Record<string, FlagName>> = {
  projectId: 'project-id',
  frontendApiUrl: 'frontend-api-url',
  cookieDomain: 'cookie-domain',
  'cookie.domain': 'cookie-domain',
}

/** Restate an {@link InvalidOptionError} of the keep-alive or gateway in terms of flags. */
export function usageErrorOfOption(error: InvalidOptionError): UsageError {
  const flag = FLAG_OF_OPTION[error.option]
  const message = error.message.replace(/^corbado-keepalive: /, '')
  if (flag === undefined) return new UsageError(message)
  return new UsageError(message.replace(`"${error.option}"`, `"--${flag}" (${FLAGS[flag].env})`))
}

function parseFlags(argv: readonly string[]) {
  const options = Object.fromEntries(
    Object.keys(FLAGS).map((name) => [name, { type: 'string' as const }]),
  ) as Record<FlagName, { type: 'string' }>
  return parseArgs({
    args: [...argv],
    options: { ...options, help: { type: 'boolean', short: 'h' } },
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
      if (unknown instanceof InvalidOptionError) {
        return new UsageError(
          unknown.message.replace(/^corbado-keepalive: /, '').replace(/^"--[^"]*"/, `"${flag}"`),
        )
      }
    }
    return new UsageError(`"${flag}" is not an option`)
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
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
  const number = /^\d+$/.test(value) ? Number(value) : NaN
  if (!Number.isSafeInteger(number) || number < min || number > max) {
    throw new UsageError(`"--${name}" must be an integer from ${min} to ${max}`)
  }
  return number
}

/** A path starting with `/`, returned without trailing slashes (`'/'` becomes `''`). */
function path(name: FlagName, value: string | undefined): string | undefined {
  if (value === undefined) return undefined
  if (!/^\/[\x21-\x7e]*$/.test(value) || value.includes('?') || value.includes('#')) {
    throw new UsageError(`"--${name}" must be a path starting with "/", e.g. "/.corbado"`)
  }
  return value.replace(/\/+$/, '')
}

function logLevel(value: string | undefined): LogLevel {
  if (value === undefined) return CLI_DEFAULTS.logLevel
  const level = LOG_LEVELS.find((known) => known === value)
  if (level === undefined) {
    throw new UsageError(`"--log-level" must be one of ${LOG_LEVELS.join(', ')}`)
  }
  return level
}
