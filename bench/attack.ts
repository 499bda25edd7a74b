/**
 * Made-up refresh-tokens from rotating addresses while real returning users arrive: how many
 * returning users are restored during the attack, and how long after it stops until they all
 * are again. Run: `npx tsx bench/attack.ts [attackPerSecond] [attackSeconds]`. The figures go to
 * SECURITY.md ("Made-up refresh-tokens from many addresses").
 */
import { createKeepAlive } from '../src/index.js'
import type { KeepAliveOptions } from '../src/index.js'
import { startFakeCorbado } from '../src/testing/index.js'
import type { FakeCorbado } from '../src/testing/index.js'

/** What {@link runAttack} measured. */
export interface AttackResult {
  readonly attackRequests: number
  readonly attackUpstreamCalls: number
  readonly returningDuringAttack: number
  readonly restoredDuringAttack: number
}

/** A finished attack, and what to measure the time after it with. */
export interface FinishedAttack {
  readonly result: AttackResult
  /** `performance.now()` at the attack's last request. */
  readonly stoppedAt: number
  /** Send one new returning user from the load balancer; resolves `true` when restored. */
  readonly returningUser: () => Promise<boolean>
  /** Resolves when every request of the attack is answered. */
  readonly answered: Promise<unknown>
}

/** Settings of {@link runAttack}. */
export interface AttackSettings {
  readonly fake: FakeCorbado
  readonly options?: Partial<KeepAliveOptions<object>>
  readonly attackPerSecond: number
  readonly attackMs: number
  /** A new returning user (an unproven refresh-token) every this many milliseconds. */
  readonly returningEveryMs: number
  /** The load balancer's address, the one every returning user comes from. */
  readonly returningAddress: string
  /** The share of the attack sent from the returning users' address too, 0 to 1. */
  readonly attackShareFromThatAddress: number
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Run the attack against a keep-alive pointed at `fake`, with `options`. */
export async function runAttack(settings: AttackSettings): Promise<FinishedAttack> {
  const { fake } = settings
  const keepAlive = createKeepAlive<object>({
    projectId: fake.projectId,
    frontendApiUrl: fake.url,
    ...settings.options,
  })
  let userNumber = 0
  const returningUser = async (): Promise<boolean> => {
    const user = fake.login(`usr-${String(900_000 + userNumber++)}`)
    const outcome = await keepAlive.handle({
      method: 'GET',
      cookieHeader: `cbo_refresh_token=${user.refreshToken}`,
      clientAddress: settings.returningAddress,
      raw: {},
    })
    return outcome.action === 'refreshed'
  }

  const attack: Promise<unknown>[] = []
  const returning: Promise<boolean>[] = []
  const tickMs = 10
  const perTick = (settings.attackPerSecond * tickMs) / 1000
  const started = performance.now()
  let owed = 0
  let sent = 0
  let nextReturningAt = started
  while (performance.now() - started < settings.attackMs) {
    owed += perTick
    for (; owed >= 1; owed--) {
      const i = sent++
      const every =
        settings.attackShareFromThatAddress > 0
          ? Math.round(1 / settings.attackShareFromThatAddress)
          : 0
      const fromThere = every > 0 && i % every === 0
      attack.push(
        Promise.resolve(
          keepAlive.handle({
            method: 'GET',
            cookieHeader: `cbo_refresh_token=made-up-${String(i)}-${String(started)}`,
            clientAddress: fromThere
              ? settings.returningAddress
              : `2001:db8:${(i & 0xffff).toString(16)}:${(i >> 16).toString(16)}::1`,
            raw: {},
          }),
        ),
      )
    }
    if (performance.now() >= nextReturningAt) {
      returning.push(returningUser())
      nextReturningAt += settings.returningEveryMs
    }
    await sleep(tickMs)
  }
  const stoppedAt = performance.now()
  const restored = await Promise.all(returning)
  const answered = Promise.all(attack)
  const upstream = fake.calls.filter(
    (call) =>
      call.path === '/v2/me/refresh' && String(call.headers.authorization).includes('made-up-'),
  ).length
  return {
    result: {
      attackRequests: sent,
      attackUpstreamCalls: upstream,
      returningDuringAttack: returning.length,
      restoredDuringAttack: restored.filter(Boolean).length,
    },
    stoppedAt,
    returningUser,
    answered,
  }
}

/** After `attack`: milliseconds from its last request until 20 returning users at once are all restored. */
async function recoveryMs(attack: FinishedAttack): Promise<number> {
  for (;;) {
    const restored = await Promise.all(Array.from({ length: 20 }, attack.returningUser))
    if (restored.every(Boolean)) return performance.now() - attack.stoppedAt
    if (performance.now() - attack.stoppedAt > 120_000) return Number.NaN
    await sleep(10)
  }
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) {
  const fake = await startFakeCorbado()
  try {
    const attackPerSecond = Number(process.argv[2] ?? 500)
    const attackMs = Number(process.argv[3] ?? 10) * 1000
    for (const share of [0, 0.1]) {
      fake.resetCalls()
      const attack = await runAttack({
        fake,
        attackPerSecond,
        attackMs,
        returningEveryMs: 100,
        returningAddress: '192.0.2.50',
        attackShareFromThatAddress: share,
      })
      const recovery = await recoveryMs(attack)
      await attack.answered
      console.log(
        JSON.stringify({
          attackPerSecond,
          attackMs,
          shareFromLoadBalancer: share,
          ...attack.result,
          attackUpstreamCalls: fake.calls.filter(
            (call) =>
              call.path === '/v2/me/refresh' &&
              String(call.headers.authorization).includes('made-up-'),
          ).length,
          recoveryMs: Math.round(recovery),
        }),
      )
    }
  } finally {
    await fake.close()
  }
}
