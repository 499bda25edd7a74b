import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { Redis } from 'ioredis'
import type { KeepAliveOptions, LogFn, RefreshCoordinator } from '../../src/index.js'
import { RedisCoordinator } from '../../src/redis.js'
import type { RedisCoordinatorOptions } from '../../src/redis.js'
import { startFakeCorbado } from '../../src/testing/index.js'
import type { FakeCorbado } from '../../src/testing/index.js'
import { FRAMEWORKS } from '../helpers/frameworks.js'
import type { TestApp } from '../helpers/frameworks.js'
import { nearExpirySession } from '../helpers/sessions.js'
import { claimsOf, setCookieOf, valueOf } from '../helpers/http.js'
import {
  deleteKeysUnder,
  ioredisClient,
  keysUnder,
  requireRedis,
  startRedisServer,
  uniquePrefix,
} from '../helpers/redis.js'
import type { OwnRedisServer } from '../helpers/redis.js'

await requireRedis('several app instances (Redis)')

/** Upstream refresh calls measured per scenario, printed at the end for the closing note. */
const measured: string[] = []

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

function recordingLogger() {
  const lines: string[] = []
  const at =
    (level: string): LogFn =>
    (context, message) =>
      lines.push(`${level} ${message} ${JSON.stringify(context)}`)
  return { lines, logger: { warn: at('warn'), error: at('error'), info: at('info') } }
}

/** Every form in which a secret could leak: as is, base64, base64url, and a JWT's parts. */
function leakForms(secret: string): string[] {
  const parts = secret.includes('.') ? secret.split('.').filter((part) => part.length > 8) : []
  return [secret, ...parts].flatMap((s) => [
    s,
    Buffer.from(s).toString('base64'),
    Buffer.from(s).toString('base64url'),
  ])
}

for (const framework of FRAMEWORKS) {
  describe(`${framework.name}: several instances, one Redis`, () => {
    let fake: FakeCorbado
    const apps: TestApp[] = []
    const clients: Redis[] = []
    let admin: Redis
    let prefix: string

    /** One app instance: its own Redis client and RedisCoordinator, the shared prefix. */
    async function startInstance(
      options: Partial<RedisCoordinatorOptions> & { url?: string } = {},
      wrap: (coordinator: RedisCoordinator) => RefreshCoordinator = (c) => c,
      keepAlive: Partial<KeepAliveOptions<never>> = {},
    ): Promise<{ app: TestApp; redis: Redis }> {
      const { url, ...coordinatorOptions } = options
      const redis = ioredisClient(url)
      clients.push(redis)
      await redis.ping()
      const coordinator = new RedisCoordinator({ redis, keyPrefix: prefix, ...coordinatorOptions })
      const app = await framework.start({
        projectId: fake.projectId,
        frontendApiUrl: fake.url,
        coordinator: wrap(coordinator),
        ...keepAlive,
      })
      apps.push(app)
      return { app, redis }
    }

    async function startInstances(
      n: number,
      options: Partial<RedisCoordinatorOptions> & { url?: string } = {},
    ) {
      const started: TestApp[] = []
      for (let i = 0; i < n; i++) started.push((await startInstance(options)).app)
      return started
    }

    /** A near-expiry session (30 s left, refreshed at 60 s) of `userId`. */
    const nearExpiry = (userId: string) => nearExpirySession(fake, userId)

    async function request(app: TestApp, header: string) {
      const { response, seen } = await app.seen(header)
      return {
        status: response.status,
        written: valueOf(setCookieOf(response, 'cbo_session_token')),
        seen,
      }
    }

    beforeAll(async () => {
      fake = await startFakeCorbado()
      admin = ioredisClient()
    })
    afterAll(async () => {
      await fake.close()
      admin.disconnect()
      console.info(
        `[${framework.name}] measured upstream refresh calls:\n  ${measured.splice(0).join('\n  ')}`,
      )
    })
    beforeEach(() => {
      prefix = uniquePrefix('instances')
      fake.setFault(undefined)
      fake.setLatency(0)
      fake.resetCalls()
    })
    afterEach(async () => {
      await Promise.all(apps.splice(0).map((app) => app.close()))
      for (const client of clients.splice(0)) client.disconnect()
      await deleteKeysUnder(admin, prefix)
    })

    it('3 instances × 20 parallel requests for one session: 1 upstream refresh, 1 new token for all 60; Redis holds nothing readable', async () => {
      const instances = await startInstances(3)
      const { sessionToken, refreshToken, header } = nearExpiry('usr-1')
      fake.setLatency(100)

      const answers = await Promise.all(
        instances.flatMap((app) => Array.from({ length: 20 }, () => request(app, header))),
      )

      measured.push(`3 instances × 20 requests, 1 session: ${fake.refreshCount}`)
      expect(fake.refreshCount).toBe(1)
      expect(answers).toHaveLength(60)
      const written = new Set(answers.map((a) => a.written))
      expect(written.size).toBe(1)
      const [token] = [...written]
      expect(token).toBeDefined()
      expect(token).not.toBe(sessionToken)
      expect(claimsOf(token!).sub).toBe('usr-1')
      for (const answer of answers) {
        expect(answer.status).toBe(200)
        expect(answer.seen.session).toMatchObject({ userId: 'usr-1', token, refreshed: true })
      }
      const upstream = await Promise.all(
        instances.map(async (app) => (await app.stats()).upstreamRefreshes),
      )
      expect(upstream.reduce((a, b) => a + b)).toBe(1)

      // The shared result is still stored (resultTtlMs): read every raw value under the prefix.
      const stored = await keysUnder(admin, prefix)
      expect(stored.size).toBeGreaterThan(0)
      const raw = [...stored].flat().join('\n')
      for (const secret of [refreshToken, sessionToken, token!]) {
        for (const form of leakForms(secret)) expect(raw).not.toContain(form)
      }
      expect(raw).not.toContain('usr-1')
    })

    it("a result stored in Redis is checked against each request's own session: A with B's refresh-token stays A on the other instance", async () => {
      const [one, two] = await startInstances(2)
      const { lines, logger } = recordingLogger()
      const { app: checked } = await startInstance({}, undefined, { logger })
      const a = nearExpiry('usr-1001')
      const b = fake.login('usr-2002')
      // Instance one refreshes B (only B's refresh-token): the result is stored in Redis.
      const onlyB = await request(one!, `cbo_refresh_token=${b.refreshToken}`)
      expect(onlyB.seen.session?.userId).toBe('usr-2002')
      // Instances two and three get A's session with B's refresh-token: the stored result is B's.
      const mixed = `cbo_session_token=${a.sessionToken}; cbo_refresh_token=${b.refreshToken}`
      for (const app of [two!, checked]) {
        const answer = await request(app, mixed)
        expect(answer.written).toBeUndefined()
        expect(answer.seen.session).toMatchObject({ userId: 'usr-1001', token: a.sessionToken })
        expect((await app.stats()).failures['subject-mismatch']).toBe(1)
        expect((await app.stats()).circuit).toBe('closed')
      }
      expect(fake.refreshCount).toBe(1)
      const mismatches = lines.filter((line) => line.includes('subject-mismatch'))
      expect(mismatches).toHaveLength(1)
      expect(mismatches.join()).not.toMatch(/usr-1001|usr-2002/)
      for (const secret of [a.sessionToken, b.refreshToken, b.sessionToken]) {
        expect(lines.join('\n')).not.toContain(secret)
      }
    })

    it("a provider mix-up stored in Redis reaches no other user's session on another instance", async () => {
      const [one, two] = await startInstances(2)
      const { sessionToken, header } = nearExpiry('usr-1')
      fake.setFault({ type: 'other-user', times: 1 })
      const first = await request(one!, header)
      const second = await request(two!, header)
      expect(fake.refreshCount).toBe(1)
      for (const answer of [first, second]) {
        expect(answer.written).toBeUndefined()
        expect(answer.seen.session).toMatchObject({ userId: 'usr-1', token: sessionToken })
      }
    })

    it('10 users across 3 instances: 10 upstream refreshes, each user gets a token of their own', async () => {
      const instances = await startInstances(3)
      fake.setLatency(50)
      const users = Array.from({ length: 10 }, (_, i) => ({
        userId: `usr-${100 + i}`,
        ...nearExpiry(`usr-${100 + i}`),
      }))

      const answers = await Promise.all(
        users.flatMap((user) =>
          instances.flatMap((app) =>
            Array.from({ length: 2 }, async () => ({ user, ...(await request(app, user.header)) })),
          ),
        ),
      )

      measured.push(`10 users × 3 instances × 2 requests: ${fake.refreshCount}`)
      expect(fake.refreshCount).toBe(10)
      for (const user of users) {
        const mine = answers.filter((a) => a.user === user)
        expect(mine).toHaveLength(6)
        expect(new Set(mine.map((a) => a.written)).size).toBe(1)
        for (const answer of mine) {
          expect(answer.status).toBe(200)
          expect(claimsOf(answer.written!).sub).toBe(user.userId)
          expect(answer.seen.session?.userId).toBe(user.userId)
        }
      }
      expect(new Set(answers.map((a) => a.written)).size).toBe(10)
    })

    it('the leader is killed mid-refresh: its lock expires and a follower completes the refresh', async () => {
      let leading!: () => void
      const leaderStarted = new Promise<void>((resolve) => (leading = resolve))
      // The leader's instance "dies" once it holds the lock: its refresh never settles and its
      // Redis connection is dropped.
      const { app: dying, redis: dyingRedis } = await startInstance(
        { lockTtlMs: 500 },
        (coordinator) => ({
          coordinate: (key) =>
            coordinator.coordinate(key, () => {
              leading()
              return new Promise(() => undefined)
            }),
        }),
        { refreshTimeoutMs: 1000 },
      )
      const survivors = [
        (await startInstance({ lockTtlMs: 500 })).app,
        (await startInstance({ lockTtlMs: 500 })).app,
      ]
      const { sessionToken, header } = nearExpiry('usr-2')

      const dyingAnswer = request(dying, header)
      await leaderStarted
      dyingRedis.disconnect()
      const begun = Date.now()
      const answers = await Promise.all(
        survivors.flatMap((app) => Array.from({ length: 10 }, () => request(app, header))),
      )
      const tookOverAfter = Date.now() - begun

      measured.push(`leader killed mid-refresh, 2 followers × 10 requests: ${fake.refreshCount}`)
      expect(fake.refreshCount).toBe(1)
      expect(tookOverAfter).toBeLessThan(3000)
      const token = answers[0]?.written
      expect(token).toBeDefined()
      expect(token).not.toBe(sessionToken)
      for (const answer of answers) {
        expect(answer.status).toBe(200)
        expect(answer.written).toBe(token)
        expect(answer.seen.session).toMatchObject({ userId: 'usr-2', token, refreshed: true })
      }
      // The dead leader's own request was cut off by refreshTimeoutMs and served fail-open.
      const cut = await dyingAnswer
      expect(cut.status).toBe(200)
      expect(cut.seen.session).toMatchObject({
        userId: 'usr-2',
        token: sessionToken,
        refreshed: false,
      })
    })

    describe('with a Redis server of its own', () => {
      let server: OwnRedisServer

      beforeEach(async () => {
        server = await startRedisServer()
      })
      afterEach(async () => {
        await server.kill()
      })

      it('Redis is stopped mid-traffic: every request keeps succeeding', async () => {
        const loggers = [recordingLogger(), recordingLogger(), recordingLogger()]
        const instances: TestApp[] = []
        for (const { logger } of loggers) {
          instances.push((await startInstance({ url: server.url, logger })).app)
        }
        fake.setLatency(100)
        let nextUser = 200
        const sessions: string[] = []
        async function wave(users: number) {
          const wave = Array.from({ length: users }, () => {
            const userId = `usr-${nextUser++}`
            const session = nearExpiry(userId)
            sessions.push(session.sessionToken, session.refreshToken)
            return { userId, ...session }
          })
          return Promise.all(
            wave.flatMap((user) =>
              instances.flatMap((app) =>
                Array.from({ length: 4 }, async () => ({
                  user,
                  ...(await request(app, user.header)),
                })),
              ),
            ),
          )
        }
        function expectServed(answers: Awaited<ReturnType<typeof wave>>) {
          for (const answer of answers) {
            expect(answer.status).toBe(200)
            expect(answer.seen.session).toMatchObject({
              userId: answer.user.userId,
              refreshed: true,
            })
            expect(claimsOf(answer.written!).sub).toBe(answer.user.userId)
          }
        }

        const before = await wave(5)
        expectServed(before)
        const withRedis = fake.refreshCount
        fake.resetCalls()

        // Kill Redis while the second wave's leaders are refreshing.
        const during = wave(5)
        await sleep(50)
        await server.kill()
        expectServed(await during)
        const whileDying = fake.refreshCount
        fake.resetCalls()

        const after = await wave(5)
        expectServed(after)
        const withoutRedis = fake.refreshCount

        measured.push(
          `Redis stopped mid-traffic, 5 users × 3 instances × 4 requests per wave: ` +
            `${withRedis} before, ${whileDying} in the wave it died, ${withoutRedis} after`,
        )
        expect(withRedis).toBe(5)
        expect(whileDying).toBeGreaterThanOrEqual(5)
        expect(whileDying).toBeLessThanOrEqual(15)
        // In-process coordination: at most one refresh per session and instance.
        expect(withoutRedis).toBeLessThanOrEqual(15)
        for (const { lines } of loggers) {
          expect(lines.filter((line) => line.startsWith('warn'))).toHaveLength(1)
          const logged = lines.join('\n')
          for (const secret of sessions) expect(logged).not.toContain(secret)
        }
      })
    })
  })
}
