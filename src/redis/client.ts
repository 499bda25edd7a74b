/**
 * The two Redis clients the coordinator accepts, described structurally so that neither is
 * imported: an ioredis client (`Redis` or `Cluster`, v5/v6) and a node-redis client (v5/v6, not
 * its cluster client). Both are reduced to the one command the coordinator needs: `EVAL`.
 *
 * @module
 */

/** The part of an ioredis client (`new Redis()` or `new Cluster()`) the coordinator uses. */
export interface IORedisLike {
  /** The connection state: `'ready'`, `'connecting'`, `'reconnecting'`, `'end'`, … */
  readonly status: string
  /** Send any command. */
  call(command: string, ...args: (string | number)[]): Promise<unknown>
}

/** The part of a node-redis client (`createClient()`, v5/v6) the coordinator uses. */
export interface NodeRedisLike {
  /** `true` while connected and ready for commands. */
  readonly isReady: boolean
  /** Send any command, given as its arguments. */
  sendCommand(args: string[]): Promise<unknown>
}

/** A client the coordinator can use: ioredis or node-redis. */
export type RedisClientLike = IORedisLike | NodeRedisLike

/** The coordinator's view of a client. */
export interface ScriptRunner {
  /** Run a Lua script with `EVAL`. May reject or throw. */
  evaluate(script: string, keys: readonly string[], args: readonly string[]): Promise<unknown>
  /**
   * `true` when the client itself knows it is disconnected (reconnecting, closed), so the
   * coordinator need not wait for a command to time out.
   */
  knownDown(): boolean
}

// ioredis states in which a command would wait for a connection that is not there.
const IOREDIS_DOWN = new Set(['reconnecting', 'close', 'end'])

/** `true` when `value` looks like a client {@link scriptRunnerOf} accepts. */
export function isRedisClient(value: unknown): value is RedisClientLike {
  return isIORedis(value) || isNodeRedis(value)
}

/** Adapt `client` (checked with {@link isRedisClient}). */
export function scriptRunnerOf(client: RedisClientLike): ScriptRunner {
  if (isIORedis(client)) {
    return {
      evaluate: (script, keys, args) => client.call('EVAL', script, keys.length, ...keys, ...args),
      knownDown: () => IOREDIS_DOWN.has(client.status),
    }
  }
  return {
    evaluate: (script, keys, args) =>
      client.sendCommand(['EVAL', script, String(keys.length), ...keys, ...args]),
    knownDown: () => !client.isReady,
  }
}

function isIORedis(value: unknown): value is IORedisLike {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Partial<IORedisLike>).call === 'function' &&
    typeof (value as Partial<IORedisLike>).status === 'string'
  )
}

function isNodeRedis(value: unknown): value is NodeRedisLike {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Partial<NodeRedisLike>).sendCommand === 'function' &&
    typeof (value as Partial<NodeRedisLike>).isReady === 'boolean'
  )
}
