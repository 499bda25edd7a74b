/**
 * The proxy's `--redis-url`: a `RedisCoordinator` over an ioredis client, so several proxy
 * instances share each refresh. ioredis is an optional peer dependency, loaded only when asked.
 *
 * @module
 */
import { DEFAULTS } from '../core/options.js'
import { RedisCoordinator } from '../redis.js'
import { REDIS_DEFAULTS } from '../redis/options.js'
import { UsageError } from './args.js'
import type { LineLogger } from './log.js'

/** A coordinator and the Redis connection it owns. */
export interface OwnedCoordinator {
  readonly coordinator: RedisCoordinator
  /** Close the Redis connection; call it once the server has stopped. */
  close(): Promise<void>
}

/**
 * The coordinator's lock and wait for the keep-alive's `refreshTimeoutMs` (`undefined`: its
 * default): the lock outlasts a call that waited for its place and then ran to its timeout, and a
 * request waits for another instance's refresh as long as for its own.
 */
export function coordinatorTimings(refreshTimeoutMs: number | undefined): {
  readonly lockTtlMs: number
  readonly waitTimeoutMs: number
} {
  const timeout = refreshTimeoutMs ?? DEFAULTS.refreshTimeoutMs
  return {
    lockTtlMs: Math.max(REDIS_DEFAULTS.lockTtlMs, 2 * timeout + 1000),
    waitTimeoutMs: Math.max(REDIS_DEFAULTS.waitTimeoutMs, timeout),
  }
}

/**
 * Connect to `url` with ioredis and coordinate through it.
 *
 * @throws {UsageError} naming `--redis-url` when ioredis is not installed.
 */
export async function openRedisCoordinator(
  url: string,
  keyPrefix: string | undefined,
  logger: LineLogger,
  refreshTimeoutMs: number | undefined,
): Promise<OwnedCoordinator> {
  let Redis: typeof import('ioredis').Redis
  try {
    ;({ Redis } = await import('ioredis'))
  } catch {
    throw new UsageError(
      '"--redis-url" (CORBADO_KEEPALIVE_REDIS_URL) needs the ioredis package: npm install ioredis',
    )
  }
  const redis = new Redis(url)
  // Errors reach the coordinator's own warnings; unhandled, they would end the process.
  redis.on('error', () => undefined)
  const coordinator = new RedisCoordinator({
    redis,
    keyPrefix,
    logger,
    ...coordinatorTimings(refreshTimeoutMs),
  })
  return {
    coordinator,
    close() {
      // The server has stopped, so no command is pending; a QUIT could wait on a Redis that is gone.
      redis.disconnect()
      return Promise.resolve()
    },
  }
}
