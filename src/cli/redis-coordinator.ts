/**
 * The proxy's `--redis-url`: a `RedisCoordinator` over an ioredis client, so several proxy
 * instances share each refresh. ioredis is an optional peer dependency, loaded only when asked.
 *
 * @module
 */
import { RedisCoordinator } from '../redis.js'
import { UsageError } from './args.js'
import type { LineLogger } from './log.js'

/** A coordinator and the Redis connection it owns. */
export interface OwnedCoordinator {
  readonly coordinator: RedisCoordinator
  /** Close the Redis connection; call it once the server has stopped. */
  close(): Promise<void>
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
  const coordinator = new RedisCoordinator({ redis, keyPrefix, logger })
  return {
    coordinator,
    close() {
      // The server has stopped, so no command is pending; a QUIT could wait on a Redis that is gone.
      redis.disconnect()
      return Promise.resolve()
    },
  }
}
