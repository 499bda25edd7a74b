/**
 * The Redis side of the coordination protocol: key names and the three Lua scripts. Each script
 * is one atomic step, so no interleaving of instances can run two refreshes for one lock.
 *
 * - acquire: return the stored result if any; else take the lock (`SET NX PX`); else "wait".
 * - publish: the lock owner stores the sealed result and releases the lock in one step; a leader
 *   that lost its lock (it outlived `lockTtlMs`) only fills the result if none is there.
 * - release: compare-and-delete of the lock, for a leader whose refresh rejected.
 *
 * @module
 */

/** The Redis keys of one refresh-token. */
export interface ProtocolKeys {
  readonly result: string
  readonly lock: string
}

/**
 * The keys of the refresh-token whose hash is `id`. The `{id}` hash tag puts both keys in one
 * Redis Cluster slot, as a script touching both requires.
 */
export function keysOf(keyPrefix: string, id: string): ProtocolKeys {
  return { result: `${keyPrefix}{${id}}:result`, lock: `${keyPrefix}{${id}}:lock` }
}

/** KEYS: result, lock. ARGV: owner, lockTtlMs, readResult ('1' or '0'). */
export const ACQUIRE = `
if ARGV[3] == '1' then
  local value = redis.call('GET', KEYS[1])
  if value then return 'R' .. value end
end
if redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then return 'L' end
return 'W'
`

/** KEYS: result, lock. ARGV: owner, sealed result, resultTtlMs. */
export const PUBLISH = `
if redis.call('GET', KEYS[2]) == ARGV[1] then
  redis.call('DEL', KEYS[2])
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
  return 'S'
end
if redis.call('SET', KEYS[1], ARGV[2], 'NX', 'PX', ARGV[3]) then return 'F' end
return 'N'
`

/** KEYS: lock. ARGV: owner. */
export const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) return 'D' end
return 'N'
`

/** What {@link ACQUIRE} answered. */
export type AcquireReply =
  | { readonly kind: 'result'; readonly value: string }
  | { readonly kind: 'leader' }
  | { readonly kind: 'wait' }

/** Parse the reply of {@link ACQUIRE}; `undefined` for anything unexpected. */
export function parseAcquireReply(reply: unknown): AcquireReply | undefined {
  const text = Buffer.isBuffer(reply) ? reply.toString('utf8') : reply
  if (typeof text !== 'string') return undefined
  if (text === 'L') return { kind: 'leader' }
  if (text === 'W') return { kind: 'wait' }
  if (text.startsWith('R')) return { kind: 'result', value: text.slice(1) }
  return undefined
}
