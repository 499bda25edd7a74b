import { describe, expect, it } from 'vitest'
import { corbadoGateway, GATEWAY_DEFAULTS } from '../../src/gateway.js'
import type { GatewayOptions } from '../../src/gateway.js'
import { resolveGatewayOptions } from '../../src/gateway/options.js'
import { InvalidOptionError } from '../../src/index.js'

const projectId = 'pro-1234567890'

function rejection(options: unknown): InvalidOptionError {
  try {
    corbadoGateway(options as GatewayOptions)
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidOptionError)
    return error as InvalidOptionError
  }
  throw new Error('expected the options to be rejected')
}

describe('gateway options', () => {
  it('applies the documented defaults', () => {
    expect(resolveGatewayOptions({ projectId })).toEqual({
      projectId,
      frontendApiUrl: 'https://pro-1234567890.frontendapi.cloud.corbado.io',
      cookieDomain: undefined,
      cookiePath: '/',
      timeoutMs: 10_000,
      totalTimeoutMs: 30_000,
      logger: undefined,
    })
    expect(GATEWAY_DEFAULTS).toEqual({ cookiePath: '/', timeoutMs: 10_000, totalTimeoutMs: 30_000 })
  })

  it('keeps what is given, without modifying the caller’s object', () => {
    const options = {
      projectId,
      frontendApiUrl: 'https://auth.example.com/',
      cookieDomain: 'example.com',
      cookiePath: '/app',
      timeoutMs: 2500,
      totalTimeoutMs: 5000,
    }
    const copy = structuredClone(options)
    expect(resolveGatewayOptions(options)).toMatchObject({
      frontendApiUrl: 'https://auth.example.com',
      cookieDomain: 'example.com',
      cookiePath: '/app',
      timeoutMs: 2500,
      totalTimeoutMs: 5000,
    })
    expect(options).toEqual(copy)
  })

  it.each([
    [undefined, 'options'],
    [{}, 'projectId'],
    [{ projectId: 'p-1' }, 'projectId'],
    [{ projectId, frontendApiUrl: 'ftp://x' }, 'frontendApiUrl'],
    [{ projectId, cookieDomain: '' }, 'cookieDomain'],
    [{ projectId, cookieDomain: 'a.com; Path=/x' }, 'cookieDomain'],
    [{ projectId, cookieDomain: 'a.com/x' }, 'cookieDomain'],
    [{ projectId, cookiePath: 'app' }, 'cookiePath'],
    [{ projectId, cookiePath: '/a;b' }, 'cookiePath'],
    [{ projectId, timeoutMs: 0 }, 'timeoutMs'],
    [{ projectId, timeoutMs: 1.5 }, 'timeoutMs'],
    [{ projectId, totalTimeoutMs: 0 }, 'totalTimeoutMs'],
    [{ projectId, totalTimeoutMs: '30s' }, 'totalTimeoutMs'],
    [{ projectId, totalTimeoutMs: 600_001 }, 'totalTimeoutMs'],
    [{ projectId, logger: {} }, 'logger'],
  ])('rejects %j naming "%s"', (options, option) => {
    expect(rejection(options).option).toBe(option)
  })

  it('rejects unknown options with a hint', () => {
    const error = rejection({ projectId, timeout: 100 })
    expect(error.option).toBe('timeout')
    expect(error.message).toBe(
      'corbado-keepalive: "timeout" is not an option. Did you mean "timeoutMs"?',
    )
  })
})
