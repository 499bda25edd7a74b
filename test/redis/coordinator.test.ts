import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { Redis } from 'ioredis'
import type { LogFn, SharedRefreshResult } from '../../src/index.js'
import { refreshKeyOf } from '../../src/core/refresh-key.js'
import { RedisCoordinator } from '../../src/redis.js'
import type { RedisCoordinatorOptions } from '../../src/redis.js'
import { keysOf } from '../../src/redis/protocol.js'
import {
  deleteKeysUnder,
  ioredisClient,
  keysUnder,
  nodeRedisClient,
  requireRedis,
  startRedisServer,
  uniquePrefix,
} from '../helpers/redis.js'
import type { OwnRedisServer } from '../helpers/redis.js'

await requireRedis('RedisCoordinator (Redis)')

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const never = () => new Promise<SharedRefreshResult>(() => undefined)
const refreshed = (sessionToken: string) => () =>
  Promise.resolve<SharedRefreshResult>({ kind: 'refreshed', sessionToken })

function recordingLogger() {
  const lines: { level: string; context: Record<string, unknown>; message: string }[] = []
  const at =
    (level: string): LogFn =>
    (context, message) =>
      lines.push({ level, context, message })
  return { lines, logger: { warn: at('warn'), error: at('error'), info: at('info') } }
}

let tokens = 0
function realisticTokens() {
  tokens++
  return {
    refreshToken: `rt_${tokens}_${'k'.repeat(40)}${Math.random().toString(36).slice(2)}`,
    sessionToken: `eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c3ItJHt0b2tlbnN9In0.sig${tokens}${Math.random()}`,
  }
}

describe('RedisCoordinator against a real Redis', () => {
  const prefix = uniquePrefix('coordinator')
  const clients: Redis[] = []
  let admin: Redis

  /** A coordinator with a client of its own, like one app instance. */
  function instance(options: Partial<RedisCoordinatorOptions> = {}) {
    const redis = ioredisClient()
    clients.push(redis)
    return new RedisCoordinator({ redis, keyPrefix: prefix, ...options })
  }

  beforeAll(() => {
    admin = ioredisClient()
  })
  afterAll(async () => {
    await deleteKeysUnder(admin, prefix)
    admin.disconnect()
    for (const client of clients) client.disconnect()
  })

  it('three instances × 20 concurrent callers: one refresh, one result for all', async () => {
    const instances = [instance(), instance(), instance()]
    const key = await refreshKeyOf(realisticTokens().refreshToken)
    let calls = 0
    const refresh = async (): Promise<SharedRefreshResult> => {
      calls++
      await sleep(100)
      return { kind: 'refreshed', sessionToken: 'shared-token' }
    }
    const results = await Promise.all(
      instances.flatMap((coordinator) =>
        Array.from({ length: 20 }, () => coordinator.coordinate(key, refresh)),
      ),
    )
    expect(calls).toBe(1)
    expect(results.every((r) => r.kind === 'refreshed' && r.sessionToken === 'shared-token')).toBe(
      true,
    )
    expect(results.filter((r) => !r.coalesced)).toHaveLength(1)
  })

  it('a leader that never finishes: its lock expires after lockTtlMs and another instance takes over', async () => {
    const dead = instance({ lockTtlMs: 300 })
    const survivor = instance({ lockTtlMs: 300 })
    const key = await refreshKeyOf(realisticTokens().refreshToken)
    let started!: () => void
    const leading = new Promise<void>((resolve) => (started = resolve))
    void dead.coordinate(key, () => {
      started()
      return never()
    })
    await leading
    const begun = Date.now()
    const result = await survivor.coordinate(key, refreshed('taken-over'))
    expect(result).toEqual({ kind: 'refreshed', sessionToken: 'taken-over', coalesced: false })
    expect(Date.now() - begun).toBeGreaterThanOrEqual(200)
    expect(Date.now() - begun).toBeLessThan(2000)
    // The dead leader's instance also lets its own later requests take over once the lock is gone.
    expect(dead.inFlight).toBe(0)
    expect(await dead.coordinate(key, refreshed('unused'))).toMatchObject({
      sessionToken: 'taken-over',
      coalesced: true,
    })
  })

  it('a follower waits at most waitTimeoutMs, then is served fail-open', async () => {
    const leader = instance({ lockTtlMs: 10_000 })
    const follower = instance({ waitTimeoutMs: 300 })
    const key = await refreshKeyOf(realisticTokens().refreshToken)
    let started!: () => void
    const leading = new Promise<void>((resolve) => (started = resolve))
    void leader.coordinate(key, () => {
      started()
      return never()
    })
    await leading
    const begun = Date.now()
    let calls = 0
    const result = await follower.coordinate(key, () => {
      calls++
      return never()
    })
    expect(result).toEqual({ kind: 'failed', reason: 'timeout', coalesced: true })
    expect(calls).toBe(0)
    expect(Date.now() - begun).toBeGreaterThanOrEqual(250)
    expect(Date.now() - begun).toBeLessThan(1500)
    expect(follower.inFlight).toBe(0)
  })

  it('treats a value that does not decrypt as absent, and replaces it', async () => {
    const { refreshToken } = realisticTokens()
    const key = await refreshKeyOf(refreshToken)
    const { result } = keysOf(prefix, key.id)
    await admin.set(result, 'v1.Zm9yZ2VkLWJ5LXNvbWVvbmUtd2l0aG91dC10aGUta2V5', 'PX', 10_000)
    const first = instance()
    expect(await first.coordinate(key, refreshed('genuine'))).toEqual({
      kind: 'refreshed',
      sessionToken: 'genuine',
      coalesced: false,
    })
    expect(await instance().coordinate(key, refreshed('unused'))).toMatchObject({
      sessionToken: 'genuine',
      coalesced: true,
    })
    expect(await admin.get(result)).not.toContain('Zm9yZ2Vk')
  })

  it('stores hashes and sealed values only: no token, refresh-token or user in the clear', async () => {
    const { refreshToken, sessionToken } = realisticTokens()
    const key = await refreshKeyOf(refreshToken)
    const coordinator = instance()
    let release!: () => void
    const held = new Promise<void>((resolve) => (release = resolve))
    const running = coordinator.coordinate(key, async () => {
      await held
      return { kind: 'refreshed', sessionToken }
    })
    await sleep(50)
    const whileLocked = await keysUnder(admin, prefix + `{${key.id}}`)
    release()
    await running
    const afterwards = await keysUnder(admin, prefix + `{${key.id}}`)
    expect([...whileLocked.keys()]).toEqual([keysOf(prefix, key.id).lock])
    expect([...afterwards.keys()]).toEqual([keysOf(prefix, key.id).result])
    const forbidden = [refreshToken, sessionToken, ...sessionToken.split('.'), 'usr-']
    const stored = [...whileLocked, ...afterwards].flat().join('\n')
    for (const secret of forbidden) {
      for (const form of [
        secret,
        Buffer.from(secret).toString('base64'),
        Buffer.from(secret).toString('base64url'),
      ]) {
        expect(stored).not.toContain(form)
      }
    }
    expect(await admin.pttl(keysOf(prefix, key.id).result)).toBeLessThanOrEqual(5000)
  })

  it('works with a node-redis client too', async () => {
    const client = await nodeRedisClient()
    try {
      const a = new RedisCoordinator({ redis: client, keyPrefix: prefix })
      const b = instance()
      const key = await refreshKeyOf(realisticTokens().refreshToken)
      let calls = 0
      const refresh = async (): Promise<SharedRefreshResult> => {
        calls++
        await sleep(50)
        return { kind: 'ended', status: 401 }
      }
      const results = await Promise.all([
        ...Array.from({ length: 10 }, () => a.coordinate(key, refresh)),
        ...Array.from({ length: 10 }, () => b.coordinate(key, refresh)),
      ])
      expect(calls).toBe(1)
      expect(results.every((r) => r.kind === 'ended' && r.status === 401)).toBe(true)
    } finally {
      await client.close()
    }
  })
})

describe('RedisCoordinator when Redis fails', () => {
  let server: OwnRedisServer
  const clients: Redis[] = []
  const prefix = uniquePrefix('failures')

  beforeAll(async () => {
    server = await startRedisServer()
  })
  afterEach(() => {
    for (const client of clients.splice(0)) client.disconnect()
  })
  afterAll(async () => {
    await server.kill()
  })

  it('unreachable: falls back in-process at once, never rejects, warns once without a token', async () => {
    const doomed = await startRedisServer()
    const redis = ioredisClient(doomed.url)
    clients.push(redis)
    await redis.ping()
    await doomed.kill()
    const { lines, logger } = recordingLogger()
    const coordinator = new RedisCoordinator({ redis, keyPrefix: prefix, logger })
    const { refreshToken, sessionToken } = realisticTokens()
    const key = await refreshKeyOf(refreshToken)
    let calls = 0
    const refresh = async (): Promise<SharedRefreshResult> => {
      calls++
      await sleep(20)
      return { kind: 'refreshed', sessionToken }
    }
    const begun = Date.now()
    const burst = await Promise.all(
      Array.from({ length: 20 }, () => coordinator.coordinate(key, refresh)),
    )
    expect(Date.now() - begun).toBeLessThan(1000)
    expect(burst.every((r) => r.kind === 'refreshed' && r.sessionToken === sessionToken)).toBe(true)
    expect(calls).toBe(1)

    await sleep(1200)
    const other = await refreshKeyOf(realisticTokens().refreshToken)
    expect(await coordinator.coordinate(other, refreshed('x'))).toMatchObject({ kind: 'refreshed' })
    const warnings = lines.filter((line) => line.level === 'warn')
    expect(warnings).toHaveLength(1)
    expect(warnings[0]?.context).toMatchObject({ code: 'ERR_KEEPALIVE_COORDINATOR_FAILED' })
    const logged = JSON.stringify(lines)
    expect(logged).not.toContain(refreshToken)
    expect(logged).not.toContain(sessionToken)
  })

  it('slow: a command over commandTimeoutMs falls back, and the lock it took is given back', async () => {
    const redis = ioredisClient(server.url)
    const pauser = ioredisClient(server.url)
    clients.push(redis, pauser)
    await Promise.all([redis.ping(), pauser.ping()])
    const { lines, logger } = recordingLogger()
    const coordinator = new RedisCoordinator({
      redis,
      keyPrefix: prefix,
      commandTimeoutMs: 100,
      logger,
    })
    const key = await refreshKeyOf(realisticTokens().refreshToken)
    await pauser.call('CLIENT', 'PAUSE', '800', 'ALL')
    const begun = Date.now()
    const result = await coordinator.coordinate(key, refreshed('in-process'))
    expect(result).toEqual({ kind: 'refreshed', sessionToken: 'in-process', coalesced: false })
    expect(Date.now() - begun).toBeLessThan(600)
    expect(lines.filter((line) => line.level === 'warn')).toHaveLength(1)

    await sleep(1500)
    expect(await redis.exists(keysOf(prefix, key.id).lock)).toBe(0)
    // Redis is used again after a short pause, and its return is logged.
    const next = await refreshKeyOf(realisticTokens().refreshToken)
    await coordinator.coordinate(next, refreshed('via-redis'))
    expect(await redis.exists(keysOf(prefix, next.id).result)).toBe(1)
    expect(lines.filter((line) => line.level === 'info')).toHaveLength(1)
  })

  it('a node-redis client that is not connected: falls back without sending anything', async () => {
    const client = await nodeRedisClient(server.url)
    await client.close()
    const coordinator = new RedisCoordinator({ redis: client, keyPrefix: prefix })
    const key = await refreshKeyOf(realisticTokens().refreshToken)
    expect(await coordinator.coordinate(key, refreshed('local'))).toEqual({
      kind: 'refreshed',
      sessionToken: 'local',
      coalesced: false,
    })
  })
})
