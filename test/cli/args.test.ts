import { describe, expect, it } from 'vitest'
import {
  CLI_DEFAULTS,
  parseCommandLine,
  PROXY_USAGE,
  usageErrorOfOption,
  USAGE,
  UsageError,
} from '../../src/cli/args.js'
import { createLineLogger } from '../../src/cli/log.js'
import { InvalidOptionError } from '../../src/index.js'

const required = ['proxy', '--target', 'http://127.0.0.1:3000', '--project-id', 'pro-1']

function configOf(argv: string[], env: Record<string, string> = {}) {
  const command = parseCommandLine(argv, env)
  if (command.kind !== 'proxy') throw new Error('expected the proxy command')
  return command.config
}

function usageError(argv: string[], env: Record<string, string> = {}): string {
  try {
    parseCommandLine(argv, env)
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError)
    return (error as UsageError).message
  }
  throw new Error('expected a usage error')
}

describe('parseCommandLine', () => {
  it('applies the documented defaults', () => {
    const config = configOf(required)
    expect(config).toEqual({
      target: new URL('http://127.0.0.1:3000'),
      projectId: 'pro-1',
      frontendApiUrl: undefined,
      port: 8080,
      host: undefined,
      gatewayPath: undefined,
      cookieDomain: undefined,
      healthPath: '/healthz',
      timeoutMs: 60_000,
      shutdownTimeoutMs: 10_000,
      logLevel: 'info',
      trustProxy: false,
      healthDetails: false,
    })
    expect(CLI_DEFAULTS).toMatchObject({ port: 8080, timeoutMs: 60_000 })
  })

  it('reads every flag from its environment variable; a flag wins over it', () => {
    const env = {
      CORBADO_KEEPALIVE_TARGET: 'https://backend.internal:8443/base',
      CORBADO_PROJECT_ID: 'pro-2',
      CORBADO_FRONTEND_API_URL: 'https://auth.example.com',
      PORT: '9000',
      CORBADO_KEEPALIVE_HOST: '127.0.0.1',
      CORBADO_KEEPALIVE_GATEWAY_PATH: '/.corbado/',
      CORBADO_KEEPALIVE_GATEWAY_PUBLIC_URL: 'https://app.example.com/.corbado',
      CORBADO_KEEPALIVE_COOKIE_DOMAIN: 'example.com',
      CORBADO_KEEPALIVE_HEALTH_PATH: '/-/health',
      CORBADO_KEEPALIVE_TIMEOUT_MS: '1500',
      CORBADO_KEEPALIVE_SHUTDOWN_TIMEOUT_MS: '0',
      CORBADO_KEEPALIVE_LOG_LEVEL: 'warn',
      CORBADO_KEEPALIVE_TRUST_PROXY: 'true',
      CORBADO_KEEPALIVE_HEALTH_DETAILS: '1',
    }
    expect(configOf(['proxy'], env)).toEqual({
      target: new URL('https://backend.internal:8443/base'),
      projectId: 'pro-2',
      frontendApiUrl: 'https://auth.example.com',
      port: 9000,
      host: '127.0.0.1',
      gatewayPath: '/.corbado',
      gatewayPublicUrl: 'https://app.example.com/.corbado',
      cookieDomain: 'example.com',
      healthPath: '/-/health',
      timeoutMs: 1500,
      shutdownTimeoutMs: 0,
      logLevel: 'warn',
      trustProxy: true,
      healthDetails: true,
    })
    expect(configOf(['proxy', '--port', '81', '--project-id=pro-3'], env)).toMatchObject({
      port: 81,
      projectId: 'pro-3',
    })
    expect(configOf([...required, '--trust-proxy'], {}).trustProxy).toBe(true)
    expect(configOf(required, { CORBADO_KEEPALIVE_TRUST_PROXY: 'false' }).trustProxy).toBe(false)
    expect(usageError(required, { CORBADO_KEEPALIVE_TRUST_PROXY: 'yes' })).toMatch(
      /"--trust-proxy" \(CORBADO_KEEPALIVE_TRUST_PROXY\) must be true, false, 1 or 0, got "yes"/,
    )
    // An empty variable counts as unset.
    expect(configOf(required, { PORT: '' }).port).toBe(8080)
  })

  it('reads the boolean flags --trust-proxy and --health-details, and their variables', () => {
    expect(configOf([...required, '--trust-proxy', '--health-details'])).toMatchObject({
      trustProxy: true,
      healthDetails: true,
    })
    for (const off of ['false', '0', '']) {
      expect(configOf(required, { CORBADO_KEEPALIVE_TRUST_PROXY: off }).trustProxy).toBe(false)
    }
    expect(usageError(required, { CORBADO_KEEPALIVE_TRUST_PROXY: 'yes please' })).toBe(
      '"--trust-proxy" (CORBADO_KEEPALIVE_TRUST_PROXY) must be true, false, 1 or 0, got "yes please"',
    )
    expect(usageError([...required, '--trust-proxy=1'])).toBe('"--trust-proxy" takes no value')
  })

  it('the usage text names the default health path and the new flags', () => {
    expect(PROXY_USAGE).toContain(`GET ${CLI_DEFAULTS.healthPath} (--health-path)`)
    expect(PROXY_USAGE).toContain('--trust-proxy')
    expect(PROXY_USAGE).toContain('--health-details')
  })

  it('prints help for -h, --help, with or without the command', () => {
    expect(parseCommandLine(['--help'], {})).toEqual({ kind: 'help', text: USAGE })
    expect(parseCommandLine(['proxy', '-h'], {})).toEqual({ kind: 'help', text: PROXY_USAGE })
    // Help wins over a missing required flag.
    expect(parseCommandLine(['proxy', '--help'], {}).kind).toBe('help')
  })

  it.each([
    [['proxy', '--tagret', 'x'], '"--tagret" is not an option. Did you mean "--target"?'],
    [['proxy', '--gateway=/x'], '"--gateway" is not an option. Did you mean "--gateway-path"?'],
    [['proxy', '--zzz'], '"--zzz" is not an option'],
    [['proxy', '-x'], '"-x" is not an option'],
    [['proxy', '--port'], '"--port" needs a value'],
    [['proxy', 'extra', ...required.slice(1)], 'unexpected argument "extra"'],
    [
      [...required, '--port', '70000'],
      '"--port" (PORT) must be an integer from 0 to 65535, got 70000',
    ],
    [
      [...required, '--timeout-ms', '0'],
      '"--timeout-ms" (CORBADO_KEEPALIVE_TIMEOUT_MS) must be an integer from 1 to 3600000, got 0',
    ],
    [
      [...required, '--timeout-ms', '1e3'],
      '"--timeout-ms" (CORBADO_KEEPALIVE_TIMEOUT_MS) must be an integer from 1 to 3600000, got "1e3"',
    ],
    [
      [...required, '--refresh-timeout-ms', '3s'],
      '"--refresh-timeout-ms" (CORBADO_KEEPALIVE_REFRESH_TIMEOUT_MS) must be an integer from 1 to 60000, got "3s"',
    ],
    [
      [...required, '--refresh-before-expiry-seconds', '86401'],
      '"--refresh-before-expiry-seconds" (CORBADO_KEEPALIVE_REFRESH_BEFORE_EXPIRY_SECONDS) must be an integer from 0 to 86400, got 86401',
    ],
    [
      [...required, '--refresh-rate-limit-per-client-per-minute', '0'],
      '"--refresh-rate-limit-per-client-per-minute" (CORBADO_KEEPALIVE_REFRESH_RATE_LIMIT_PER_CLIENT_PER_MINUTE) must be an integer from 1 to 1000000, got 0',
    ],
    [
      [...required, '--refresh-rate-limit-unproven-per-second=-1'],
      '"--refresh-rate-limit-unproven-per-second" (CORBADO_KEEPALIVE_REFRESH_RATE_LIMIT_UNPROVEN_PER_SECOND) must be an integer from 1 to 1000000, got "-1"',
    ],
    [
      [...required, '--redis-url', 'http://user:secret@127.0.0.1:6379'],
      '"--redis-url" (CORBADO_KEEPALIVE_REDIS_URL) must be a redis:// or rediss:// URL such as "redis://127.0.0.1:6379"',
    ],
    [
      [...required, '--gateway-path', 'corbado'],
      '"--gateway-path" must be a path starting with "/", e.g. "/.corbado", got "corbado"',
    ],
    [[...required, '--gateway-path', '/'], '"--gateway-path" must not be "/"'],
    [
      [...required, '--gateway-path', '/.c', '--health-path', '/.c/h'],
      '"--health-path" ("/.c/h") must not lie below "--gateway-path" ("/.c")',
    ],
    [
      [...required, '--gateway-path', '/.c', '--metrics-path', '/.c/m'],
      '"--metrics-path" ("/.c/m") must not lie below "--gateway-path" ("/.c")',
    ],
    [
      [...required, '--metrics-path', '/healthz'],
      '"--metrics-path" must differ from "--health-path" (both are "/healthz")',
    ],
    [
      [...required, '--health-path', '/status', '--metrics-path', '/status'],
      '"--metrics-path" must differ from "--health-path" (both are "/status")',
    ],
    [
      [...required, '--log-level', 'loud'],
      '"--log-level" must be one of debug, info, warn, error, silent, got "loud"',
    ],
    [
      ['proxy', '--target', 'http://u:p@x', '--project-id', 'pro-1'],
      '"--target" must not contain credentials, a query or a fragment',
    ],
    [
      ['proxy', '--target', 'not a url', '--project-id', 'pro-1'],
      '"--target" must be an absolute URL such as "http://127.0.0.1:3000"',
    ],
    [['proxy', '--target', 'http://x'], '"--project-id" is required (or set CORBADO_PROJECT_ID)'],
  ])('%j: %s', (argv, message) => {
    expect(usageError(argv)).toBe(message)
  })

  it('passes the keep-alive and Redis flags on, from the flag or its variable', () => {
    expect(
      configOf([
        ...required,
        '--redis-url',
        'redis://127.0.0.1:6379/2',
        '--refresh-before-expiry-seconds',
        '0',
        '--refresh-timeout-ms',
        '1500',
      ]),
    ).toMatchObject({
      redisUrl: 'redis://127.0.0.1:6379/2',
      redisKeyPrefix: undefined,
      refreshBeforeExpirySeconds: 0,
      refreshTimeoutMs: 1500,
      refreshRateLimitPerClientPerMinute: undefined,
      refreshRateLimitUnprovenPerSecond: undefined,
    })
    expect(
      configOf(required, {
        CORBADO_KEEPALIVE_REDIS_URL: 'rediss://cache.internal:6380',
        CORBADO_KEEPALIVE_REDIS_KEY_PREFIX: 'app1:',
        CORBADO_KEEPALIVE_REFRESH_RATE_LIMIT_PER_CLIENT_PER_MINUTE: '10',
        CORBADO_KEEPALIVE_REFRESH_RATE_LIMIT_UNPROVEN_PER_SECOND: '5',
      }),
    ).toMatchObject({
      redisUrl: 'rediss://cache.internal:6380',
      redisKeyPrefix: 'app1:',
      refreshBeforeExpirySeconds: undefined,
      refreshTimeoutMs: undefined,
      refreshRateLimitPerClientPerMinute: 10,
      refreshRateLimitUnprovenPerSecond: 5,
    })
  })

  it('shows a bad value from a variable like one from a flag', () => {
    expect(usageError(required, { CORBADO_KEEPALIVE_REFRESH_TIMEOUT_MS: '3s' })).toBe(
      '"--refresh-timeout-ms" (CORBADO_KEEPALIVE_REFRESH_TIMEOUT_MS) must be an integer from 1 to 60000, got "3s"',
    )
  })

  it('never shows a Redis URL, which may hold a password', () => {
    const message = usageError(required, { CORBADO_KEEPALIVE_REDIS_URL: 'secret-password' })
    expect(message).toContain('"--redis-url"')
    expect(message).not.toContain('secret-password')
  })

  it('restates option errors of the keep-alive and gateway as flags, from their fields', () => {
    expect(
      usageErrorOfOption(new InvalidOptionError('cookie.domain', 'must be a host name', 'a;b'))
        .message,
    ).toBe('"--cookie-domain" (CORBADO_KEEPALIVE_COOKIE_DOMAIN) must be a host name, got "a;b"')
    expect(
      usageErrorOfOption(new InvalidOptionError('keyPrefix', 'must be a non-empty string', ''))
        .message,
    ).toBe(
      '"--redis-key-prefix" (CORBADO_KEEPALIVE_REDIS_KEY_PREFIX) must be a non-empty string, got ""',
    )
    expect(usageErrorOfOption(new InvalidOptionError('publicUrl', 'must be a URL')).message).toBe(
      '"--gateway-public-url" (CORBADO_KEEPALIVE_GATEWAY_PUBLIC_URL) must be a URL',
    )
    expect(usageErrorOfOption(new InvalidOptionError('other', 'is wrong')).message).toBe(
      '"other" is wrong',
    )
  })
})

describe('createLineLogger', () => {
  it('writes JSON lines at and above its level, warnings to stderr', () => {
    const out: string[] = []
    const err: string[] = []
    const logger = createLineLogger('info', { out: (l) => out.push(l), err: (l) => err.push(l) })
    logger.debug({}, 'hidden')
    logger.info({ a: 1 }, 'shown')
    logger.warn({ b: 2 }, 'careful')
    expect(out).toHaveLength(1)
    expect(JSON.parse(out[0]!)).toMatchObject({ level: 'info', msg: 'shown', a: 1 })
    expect(JSON.parse(err[0]!)).toMatchObject({ level: 'warn', msg: 'careful', b: 2 })
    const silent = createLineLogger('silent', { out: (l) => out.push(l), err: (l) => err.push(l) })
    silent.error({}, 'nothing')
    expect(err).toHaveLength(1)
  })
})
