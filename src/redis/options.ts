/**
 * The options of `RedisCoordinator`, their defaults, and their validation (once, at
 * construction).
 *
 * @module
 */
import { InvalidOptionError } from '../core/errors.js'
import { integer, isPlainObject, rejectUnknownKeys, resolveLogger } from '../core/validate.js'
import type { KeysEnum } from '../core/validate.js'
import type { Logger } from '../core/types.js'
import { isRedisClient } from './client.js'
import type { RedisClientLike } from './client.js'

/** Options of `RedisCoordinator`. Only `redis` is required. */
export interface RedisCoordinatorOptions {
  /**
   * Your connected Redis client: an ioredis `Redis` or `Cluster` (v5/v6), or a node-redis v5/v6
   * client after `await client.connect()`. The coordinator sends `EVAL` on it and opens no
   * connection of its own; it never closes or reconfigures it. Required.
   */
  redis: RedisClientLike
  /**
   * Prefix of every key the coordinator writes. Instances that coordinate must share it; apps
   * that share a Redis but not their users should not. Default `'corbado-keepalive:'`.
   */
  keyPrefix?: string
  /**
   * How long a leader holds the lock of a refresh-token, milliseconds. If its instance dies
   * mid-refresh, another instance takes over after this. Keep it at least twice the keep-alive's
   * `refreshTimeoutMs` plus a second: a leader's call may wait up to `refreshTimeoutMs` for a
   * place under `refreshConcurrency`, then take up to `refreshTimeoutMs` itself, the new token's
   * verification included; a lock that expires first lets another instance repeat the refresh.
   * Default `7000`.
   */
  lockTtlMs?: number
  /**
   * How long a refresh's result (new token, or session ended) is reused by every instance,
   * milliseconds. A transient failure is shared with the requests waiting for it and kept at most
   * 500 ms (less if this is lower). Default `5000`.
   */
  resultTtlMs?: number
  /**
   * The longest a request waits for another request's or instance's refresh, milliseconds; then
   * it is served fail-open (`failed`, reason `timeout`). Default `3000`.
   */
  waitTimeoutMs?: number
  /**
   * The longest one Redis command may take, milliseconds. A slower, failing or disconnected
   * Redis makes the coordinator fall back to in-process coordination for a second before it
   * tries Redis again. Default `500`.
   */
  commandTimeoutMs?: number
  /**
   * Receives a warning when Redis fails (at most one every 30 seconds) and an info line when it
   * works again (pino-compatible). Default: silent. Never given a token.
   */
  logger?: Logger
}

/** Defaults of {@link RedisCoordinatorOptions}. */
export const REDIS_DEFAULTS = Object.freeze({
  keyPrefix: 'corbado-keepalive:',
  lockTtlMs: 7000,
  resultTtlMs: 5000,
  waitTimeoutMs: 3000,
  commandTimeoutMs: 500,
})

/** {@link RedisCoordinatorOptions} after validation and defaulting. */
export interface ResolvedRedisOptions {
  readonly redis: RedisClientLike
  readonly keyPrefix: string
  readonly lockTtlMs: number
  readonly resultTtlMs: number
  readonly waitTimeoutMs: number
  readonly commandTimeoutMs: number
  readonly logger: Logger | undefined
}

const OPTION_KEYS: KeysEnum<RedisCoordinatorOptions> = {
  redis: true,
  keyPrefix: true,
  lockTtlMs: true,
  resultTtlMs: true,
  waitTimeoutMs: true,
  commandTimeoutMs: true,
  logger: true,
}

/**
 * Validate `options` and apply defaults.
 *
 * @throws {InvalidOptionError} naming the first missing, invalid or unknown option.
 */
export function resolveRedisOptions(options: unknown): ResolvedRedisOptions {
  if (!isPlainObject(options)) {
    throw new InvalidOptionError('options', 'must be an object such as { redis: client }', options)
  }
  rejectUnknownKeys(options, OPTION_KEYS, '')
  if (!isRedisClient(options.redis)) {
    throw new InvalidOptionError(
      'redis',
      options.redis === undefined
        ? 'is required: pass your ioredis (or node-redis v5/v6) client'
        : 'must be an ioredis client or a node-redis v5/v6 client',
      ...(options.redis === undefined ? [] : [options.redis]),
    )
  }
  const keyPrefix = options.keyPrefix ?? REDIS_DEFAULTS.keyPrefix
  if (typeof keyPrefix !== 'string' || keyPrefix === '' || keyPrefix.length > 200) {
    throw new InvalidOptionError(
      'keyPrefix',
      'must be a non-empty string of at most 200 characters',
      keyPrefix,
    )
  }
  return Object.freeze({
    redis: options.redis,
    keyPrefix,
    lockTtlMs: integer('lockTtlMs', options.lockTtlMs, REDIS_DEFAULTS.lockTtlMs, 100, 600_000),
    resultTtlMs: integer(
      'resultTtlMs',
      options.resultTtlMs,
      REDIS_DEFAULTS.resultTtlMs,
      1,
      600_000,
    ),
    waitTimeoutMs: integer(
      'waitTimeoutMs',
      options.waitTimeoutMs,
      REDIS_DEFAULTS.waitTimeoutMs,
      1,
      600_000,
    ),
    commandTimeoutMs: integer(
      'commandTimeoutMs',
      options.commandTimeoutMs,
      REDIS_DEFAULTS.commandTimeoutMs,
      1,
      60_000,
    ),
    logger: resolveLogger(options.logger),
  })
}
