import { describe, expect, it } from 'vitest'
import { Redis } from 'ioredis'
import { InvalidOptionError } from '../../src/index.js'
import { REDIS_DEFAULTS, RedisCoordinator } from '../../src/redis.js'
import type { RedisCoordinatorOptions } from '../../src/redis.js'

// Never connects: options are checked before any command is sent.
const redis = new Redis({ lazyConnect: true })

function optionError(options: unknown): InvalidOptionError {
  try {
    new RedisCoordinator(options as RedisCoordinatorOptions)
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidOptionError)
    return error as InvalidOptionError
  }
  throw new Error('no error thrown')
}

describe('RedisCoordinator options', () => {
  it('documents its defaults', () => {
    expect(REDIS_DEFAULTS).toEqual({
      keyPrefix: 'corbado-keepalive:',
      lockTtlMs: 7000,
      resultTtlMs: 5000,
      waitTimeoutMs: 3000,
      commandTimeoutMs: 500,
    })
  })

  it('accepts an ioredis client and every option', () => {
    expect(
      new RedisCoordinator({
        redis,
        keyPrefix: 'app:',
        lockTtlMs: 4000,
        resultTtlMs: 2000,
        waitTimeoutMs: 1000,
        commandTimeoutMs: 200,
        logger: console,
      }).inFlight,
    ).toBe(0)
  })

  it.each([
    [undefined, 'options', 'must be an object such as { redis: client }, got undefined'],
    [{}, 'redis', 'is required: pass your ioredis (or node-redis v5/v6) client'],
    [
      { redis: {} },
      'redis',
      'must be an ioredis client or a node-redis v5/v6 client, got an object',
    ],
    [
      { redis, keyPrefix: '' },
      'keyPrefix',
      'must be a non-empty string of at most 200 characters, got ""',
    ],
    [{ redis, lockTtlMs: 10 }, 'lockTtlMs', 'must be an integer from 100 to 600000, got 10'],
    [{ redis, resultTtlMs: 1.5 }, 'resultTtlMs', 'must be an integer from 1 to 600000, got 1.5'],
    [
      { redis, waitTimeoutMs: '3000' },
      'waitTimeoutMs',
      'must be an integer from 1 to 600000, got "3000"',
    ],
    [
      { redis, commandTimeoutMs: 0 },
      'commandTimeoutMs',
      'must be an integer from 1 to 60000, got 0',
    ],
    [
      { redis, logger: {} },
      'logger',
      'must have "warn" and "error" methods (pino and console do), got an object',
    ],
    [{ redis, lockTtl: 1000 }, 'lockTtl', 'is not an option. Did you mean "lockTtlMs"?'],
    [{ redis, prefix: 'x' }, 'prefix', 'is not an option'],
    [
      { redis, waitTimeoutMS: 1 },
      'waitTimeoutMS',
      'is not an option. Did you mean "waitTimeoutMs"?',
    ],
  ])('rejects %j naming "%s"', (options, option, message) => {
    const error = optionError(options)
    expect(error.option).toBe(option)
    expect(error.code).toBe('ERR_KEEPALIVE_INVALID_OPTION')
    expect(error.message).toBe(`corbado-keepalive: "${option}" ${message}`)
  })
})
