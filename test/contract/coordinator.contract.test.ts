import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Redis } from 'ioredis'
import { MemoryCoordinator } from '../../src/index.js'
import type {
  CoordinatedRefreshResult,
  RefreshCoordinator,
  RefreshKey,
  SharedRefreshResult,
} from '../../src/index.js'
import { RedisCoordinator } from '../../src/redis.js'
import {
  deleteKeysUnder,
  ioredisClient,
  nodeRedisClient,
  requireRedis,
  uniquePrefix,
} from '../helpers/redis.js'

/**
 * The contract every RefreshCoordinator keeps, run against the in-process coordinator and the
 * Redis coordinator (with both Redis clients):
 * - concurrent callers for one key share one refresh; exactly one of them is not `coalesced`;
 * - keys are isolated;
 * - a refreshed or ended result is reused for `resultTtlMs`, then refreshed again;
 * - a transient failure is shared with the callers waiting for it, never reused later
 *   (the Redis coordinator keeps it at most `failureReuseMs` for callers arriving just after);
 * - `coordinate` never rejects on its own; a `refresh` that rejects (the keep-alive's never
 *   does) passes its rejection to the callers of that attempt, and nothing is kept.
 */
interface Subject {
  readonly name: string
  /** How long a failure may still be handed to a caller arriving after it, milliseconds. */
  readonly failureReuseMs: number
  create(options: { resultTtlMs: number }): RefreshCoordinator & { readonly inFlight: number }
}

await requireRedis('coordinator contract (Redis)')
let io: Redis | undefined
let nodeRedis: Awaited<ReturnType<typeof nodeRedisClient>> | undefined
const prefix = uniquePrefix('contract')

const SUBJECTS: readonly Subject[] = [
  {
    name: 'MemoryCoordinator',
    failureReuseMs: 0,
    create: ({ resultTtlMs }) => new MemoryCoordinator({ resultTtlMs }),
  },
  {
    name: 'RedisCoordinator (ioredis)',
    failureReuseMs: 500,
    create: ({ resultTtlMs }) =>
      new RedisCoordinator({ redis: io!, keyPrefix: prefix, resultTtlMs }),
  },
  {
    name: 'RedisCoordinator (node-redis)',
    failureReuseMs: 500,
    create: ({ resultTtlMs }) =>
      new RedisCoordinator({ redis: nodeRedis!, keyPrefix: prefix, resultTtlMs }),
  },
]

beforeAll(async () => {
  io = ioredisClient()
  nodeRedis = await nodeRedisClient()
})
afterAll(async () => {
  if (io !== undefined) {
    await deleteKeysUnder(io, prefix)
    io.disconnect()
  }
  if (nodeRedis !== undefined) await nodeRedis.close()
})

let keys = 0
/** A key no other test uses (the Redis subjects share one prefix). */
function freshKey(): RefreshKey {
  keys++
  return { id: `key-${keys}-${Date.now()}`, refreshToken: `rt-${keys}-${Math.random()}` }
}

function gate() {
  let open!: (result: SharedRefreshResult) => void
  const promise = new Promise<SharedRefreshResult>((resolve) => (open = resolve))
  return { promise, open }
}

/** An upstream refresh that waits for `open`, counting how often it was started. */
function gatedUpstream() {
  const upstream = gate()
  const counted = {
    calls: 0,
    open: upstream.open,
    refresh: () => {
      counted.calls++
      return upstream.promise
    },
  }
  return counted
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const tokenOf = (r: CoordinatedRefreshResult) => (r.kind === 'refreshed' ? r.sessionToken : r.kind)

for (const subject of SUBJECTS) {
  describe(`coordinator contract: ${subject.name}`, () => {
    it('runs one refresh for 50 concurrent callers; exactly one is not coalesced', async () => {
      const coordinator = subject.create({ resultTtlMs: 5000 })
      const key = freshKey()
      const upstream = gatedUpstream()
      const waiting = Array.from({ length: 50 }, () =>
        coordinator.coordinate(key, upstream.refresh),
      )
      await sleep(100)
      upstream.open({ kind: 'refreshed', sessionToken: 'token-1' })
      const results = await Promise.all(waiting)
      expect(upstream.calls).toBe(1)
      expect(new Set(results.map(tokenOf))).toEqual(new Set(['token-1']))
      expect(results.filter((r) => !r.coalesced)).toHaveLength(1)
      expect(coordinator.inFlight).toBe(0)
    })

    it('keeps keys apart', async () => {
      const coordinator = subject.create({ resultTtlMs: 5000 })
      const a = freshKey()
      const b = freshKey()
      const results = await Promise.all(
        [a, b, a, b].map((key) =>
          coordinator.coordinate(key, () =>
            Promise.resolve<SharedRefreshResult>({
              kind: 'refreshed',
              sessionToken: `token-of-${key.id}`,
            }),
          ),
        ),
      )
      expect(results.map(tokenOf)).toEqual([
        `token-of-${a.id}`,
        `token-of-${b.id}`,
        `token-of-${a.id}`,
        `token-of-${b.id}`,
      ])
    })

    it('reuses a refreshed result for resultTtlMs, then refreshes again', async () => {
      const coordinator = subject.create({ resultTtlMs: 300 })
      const key = freshKey()
      let calls = 0
      const refresh = () =>
        Promise.resolve<SharedRefreshResult>({ kind: 'refreshed', sessionToken: `t${++calls}` })
      expect(await coordinator.coordinate(key, refresh)).toEqual({
        kind: 'refreshed',
        sessionToken: 't1',
        coalesced: false,
      })
      expect(await coordinator.coordinate(key, refresh)).toEqual({
        kind: 'refreshed',
        sessionToken: 't1',
        coalesced: true,
      })
      await sleep(700)
      expect(await coordinator.coordinate(key, refresh)).toMatchObject({ sessionToken: 't2' })
      expect(calls).toBe(2)
    })

    it('shares an ended session (401) with concurrent and later callers', async () => {
      const coordinator = subject.create({ resultTtlMs: 5000 })
      const key = freshKey()
      const upstream = gatedUpstream()
      const waiting = Array.from({ length: 10 }, () =>
        coordinator.coordinate(key, upstream.refresh),
      )
      await sleep(50)
      upstream.open({ kind: 'ended', status: 401 })
      const results = [
        ...(await Promise.all(waiting)),
        await coordinator.coordinate(key, upstream.refresh),
      ]
      expect(upstream.calls).toBe(1)
      for (const result of results) expect(result).toMatchObject({ kind: 'ended', status: 401 })
    })

    it('shares a transient failure with the callers waiting for it, but not with later ones', async () => {
      const coordinator = subject.create({ resultTtlMs: 5000 })
      const key = freshKey()
      const upstream = gatedUpstream()
      const waiting = Array.from({ length: 10 }, () =>
        coordinator.coordinate(key, upstream.refresh),
      )
      await sleep(50)
      upstream.open({ kind: 'failed', reason: 'upstream-error' })
      for (const result of await Promise.all(waiting)) {
        expect(result).toMatchObject({ kind: 'failed', reason: 'upstream-error' })
      }
      expect(upstream.calls).toBe(1)

      await sleep(subject.failureReuseMs + 300)
      const later = await coordinator.coordinate(key, () => {
        upstream.calls++
        return Promise.resolve<SharedRefreshResult>({ kind: 'refreshed', sessionToken: 'ok' })
      })
      expect(later).toEqual({ kind: 'refreshed', sessionToken: 'ok', coalesced: false })
      expect(upstream.calls).toBe(2)
    })

    it('passes a rejecting refresh to the callers of that attempt and keeps nothing', async () => {
      const coordinator = subject.create({ resultTtlMs: 5000 })
      const key = freshKey()
      const boom = new Error('refresh bug')
      const attempt = Array.from({ length: 5 }, () =>
        coordinator.coordinate(key, async () => {
          await sleep(20)
          throw boom
        }),
      )
      for (const settled of await Promise.allSettled(attempt)) {
        expect(settled).toEqual({ status: 'rejected', reason: boom })
      }
      const next = await coordinator.coordinate(key, () =>
        Promise.resolve<SharedRefreshResult>({ kind: 'refreshed', sessionToken: 'after' }),
      )
      expect(next).toEqual({ kind: 'refreshed', sessionToken: 'after', coalesced: false })
      expect(coordinator.inFlight).toBe(0)
    })
  })
}
