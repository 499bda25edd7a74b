/**
 * The amplification guard against made-up refresh-tokens, through createKeepAlive().handle()
 * against the fake Frontend API over HTTP. The bound (src/core/refresh-limiter.ts): the
 * refreshes Corbado rejects in any T seconds are at most, for one client (an address, an IPv6
 * /64), `perClientPerMinute × (1 + T / 60)`, and for all clients without a verified session
 * together, `unprovenPerSecond × (5 + T)`; a made-up refresh-token is always rejected, so that
 * bounds its upstream calls. Valid sessions never draw on it.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createKeepAlive } from '../../src/index.js'
import type { KeepAliveOptions, KeepAliveOutcome } from '../../src/index.js'
import { startFakeCorbado } from '../../src/testing/index.js'
import type { FakeCorbado } from '../../src/testing/index.js'
import { runAttack } from '../../bench/attack.js'
import { cookies } from '../helpers/http.js'
import { nearExpirySession } from '../helpers/sessions.js'

const ATTACKS = 10_000
const ADDRESS = '203.0.113.9'
const DEFAULT_PER_CLIENT_PER_MINUTE = 30
const DEFAULT_UNPROVEN_PER_SECOND = 20
/** The default; a shorter one could cut calls on this busy machine and count them as failures. */
const REFRESH_TIMEOUT_MS = 3000

/** Every upstream call started by now has ended by then: waits for a slot, then the call. */
const quiescence = () => new Promise((resolve) => setTimeout(resolve, 2 * REFRESH_TIMEOUT_MS))

let fake: FakeCorbado
beforeAll(async () => {
  fake = await startFakeCorbado()
})
afterAll(async () => {
  await fake.close()
})
beforeEach(() => {
  fake.resetCalls()
})

function keepAlive(extra: Partial<KeepAliveOptions<object>> = {}) {
  const circuitChanges: string[] = []
  const k = createKeepAlive<object>({
    projectId: fake.projectId,
    frontendApiUrl: fake.url,
    refreshTimeoutMs: REFRESH_TIMEOUT_MS,
    onCircuitChange: (event) => circuitChanges.push(event.state),
    ...extra,
  })
  return { k, circuitChanges }
}

const madeUp = (i: number) => `made-up-${String(i)}-${'x'.repeat(40)}`

/** Valid sessions from `ip` while the attack runs: fresh, near expiry, and proven returning users. */
async function validTraffic(k: ReturnType<typeof keepAlive>['k'], ip: string) {
  const checks: Promise<boolean>[] = []
  for (let i = 0; i < 10; i++) {
    const fresh = fake.login(`usr-${String(800_000 + i)}`)
    const near = nearExpirySession(fake, `usr-${String(810_000 + i)}`)
    const send = (cookieHeader: string) =>
      k.handle({
        method: 'GET',
        cookieHeader,
        clientAddress: ip,
        raw: {},
      }) as Promise<KeepAliveOutcome>
    checks.push(
      Promise.resolve(send(cookies({ cbo_session_token: fresh.sessionToken }))).then(
        (o) => o.action === 'none' && o.session?.userId === `usr-${String(800_000 + i)}`,
      ),
      Promise.resolve(send(near.header)).then(
        (o) => o.action === 'refreshed' && o.session?.userId === `usr-${String(810_000 + i)}`,
      ),
    )
  }
  return Promise.all(checks)
}

describe('made-up refresh-tokens: a bounded number of upstream calls', () => {
  it('10,000 from one address, default rate limit: at most perClientPerMinute × (1 + T/60) reach Corbado; valid sessions are unaffected; the circuit stays closed', async () => {
    const { k, circuitChanges } = keepAlive()
    // Returning users who refreshed before (proven) are never limited, even from that address.
    const proven = Array.from({ length: 5 }, (_, i) => fake.login(`usr-${String(820_000 + i)}`))
    for (const user of proven) {
      const outcome = await k.handle({
        method: 'GET',
        cookieHeader: `cbo_refresh_token=${user.refreshToken}`,
        clientAddress: '192.0.2.1',
        raw: {},
      })
      expect(outcome.action).toBe('refreshed')
    }
    fake.resetCalls()

    const started = performance.now()
    const attack = Promise.all(
      Array.from(
        { length: ATTACKS },
        async (_, i) =>
          k.handle({
            method: 'GET',
            cookieHeader: `cbo_refresh_token=${madeUp(i)}`,
            clientAddress: ADDRESS,
            raw: {},
          }) as Promise<KeepAliveOutcome>,
      ),
    )
    const valid = validTraffic(k, ADDRESS)
    const returning = Promise.all(
      proven.map(
        async (user) =>
          await k.handle({
            method: 'GET',
            cookieHeader: `cbo_refresh_token=${user.refreshToken}`,
            clientAddress: ADDRESS,
            raw: {},
          }),
      ),
    )
    const outcomes = await attack
    await quiescence()
    const seconds = (performance.now() - started) / 1000
    expect(await valid).toEqual(Array<boolean>(20).fill(true))
    expect((await returning).map((o) => o.action)).toEqual(Array<string>(5).fill('refreshed'))

    const madeUpCalls = fake.calls.filter(
      (call) =>
        call.path === '/v2/me/refresh' &&
        String(call.headers.authorization).startsWith('Bearer made-up-'),
    ).length
    const bound = Math.floor(DEFAULT_PER_CLIENT_PER_MINUTE * (1 + seconds / 60))
    expect(madeUpCalls).toBeGreaterThanOrEqual(DEFAULT_PER_CLIENT_PER_MINUTE)
    expect(madeUpCalls).toBeLessThanOrEqual(bound)
    // Each call that was sent ended its session (or timed out on this busy machine); none other.
    expect(outcomes.filter((o) => o.action === 'ended').length).toBeLessThanOrEqual(madeUpCalls)
    expect(outcomes.filter((o) => o.failure === 'throttled').length).toBeGreaterThanOrEqual(
      ATTACKS - madeUpCalls - 1000,
    )
    // 401s are verdicts, not failures.
    expect(k.stats().circuit).toBe('closed')
    expect(circuitChanges).toEqual([])
  }, 120_000)

  it('10,000 from 10,000 addresses, default rate limit: at most unprovenPerSecond × (5 + T) reach Corbado', async () => {
    const { k, circuitChanges } = keepAlive()
    const started = performance.now()
    await Promise.all(
      Array.from({ length: ATTACKS }, async (_, i) =>
        k.handle({
          method: 'GET',
          cookieHeader: `cbo_refresh_token=${madeUp(i)}`,
          clientAddress: `10.${String(i >> 16)}.${String((i >> 8) & 255)}.${String(i & 255)}`,
          raw: {},
        }),
      ),
    )
    await quiescence()
    const seconds = (performance.now() - started) / 1000
    const bound = Math.floor(DEFAULT_UNPROVEN_PER_SECOND * (5 + seconds))
    expect(fake.refreshCount).toBeGreaterThanOrEqual(5 * DEFAULT_UNPROVEN_PER_SECOND)
    expect(fake.refreshCount).toBeLessThanOrEqual(bound)
    expect(circuitChanges).toEqual([])
  }, 120_000)

  it('an answer that fails verification spends the budget like a 401', async () => {
    const { k } = keepAlive({ refreshRateLimit: { perClientPerMinute: 3 } })
    fake.setFault({ type: 'bad-signature' })
    try {
      const outcomes = await Promise.all(
        Array.from({ length: 20 }, async (_, i) =>
          k.handle({
            method: 'GET',
            cookieHeader: `cbo_refresh_token=${madeUp(i)}`,
            clientAddress: ADDRESS,
            raw: {},
          }),
        ),
      )
      await quiescence()
      expect(fake.refreshCount).toBe(3)
      expect(outcomes.filter((o) => o.failure === 'throttled')).toHaveLength(17)
    } finally {
      fake.setFault(undefined)
    }
  })
})

describe('made-up refresh-tokens from rotating addresses while returning users arrive', () => {
  it('degradation ends within 2 × refreshTimeoutMs + max(1000 / unprovenPerSecond, 60000 / perClientPerMinute) ms after the attack stops', async () => {
    const limits = { perClientPerMinute: 30, unprovenPerSecond: 5 }
    const attack = await runAttack({
      fake,
      options: { refreshTimeoutMs: REFRESH_TIMEOUT_MS, refreshRateLimit: limits },
      attackPerSecond: 300,
      attackMs: 2000,
      returningEveryMs: 50,
      returningAddress: '192.0.2.50',
      // Some of the attack comes through the returning users' own load balancer, too.
      attackShareFromThatAddress: 0.2,
    })
    // The attack degraded the service (bench/attack.ts measures by how much).
    expect(attack.result.restoredDuringAttack).toBeLessThan(attack.result.returningDuringAttack)

    const boundMs =
      2 * REFRESH_TIMEOUT_MS +
      Math.max(1000 / limits.unprovenPerSecond, 60_000 / limits.perClientPerMinute)
    const left = boundMs - (performance.now() - attack.stoppedAt)
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, left)))
    const restored: boolean[] = []
    for (let i = 0; i < 10; i++) restored.push(await attack.returningUser())
    expect(restored).toEqual(Array<boolean>(10).fill(true))
    await attack.answered
  }, 60_000)
})
