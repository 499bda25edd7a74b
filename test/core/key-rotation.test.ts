/**
 * Corbado starts signing with a new key while the keep-alive holds the old key set, inside jose's
 * 30 s cooldown between two downloads for an unknown `kid`. Through createKeepAlive().handle()
 * against the fake Frontend API over HTTP.
 */
import { afterAll, beforeAll, expect, it, vi } from 'vitest'
import { createKeepAlive, MemoryCoordinator, RefreshFailedError } from '../../src/index.js'
import type { KeepAliveError, RefreshCoordinator } from '../../src/index.js'
import { startFakeCorbado } from '../../src/testing/index.js'
import type { FakeCorbado } from '../../src/testing/index.js'
import { cookies } from '../helpers/http.js'
import { nearExpirySession } from '../helpers/sessions.js'

let fake: FakeCorbado
beforeAll(async () => {
  fake = await startFakeCorbado()
})
afterAll(async () => {
  await fake.close()
})

const keyDownloads = () =>
  fake.calls.filter((call) => call.path.startsWith('/.well-known/jwks')).length

/** A keep-alive that verified one session, so it holds the key set of now. */
async function warmKeepAlive() {
  const k = createKeepAlive<object>({ projectId: fake.projectId, frontendApiUrl: fake.url })
  const send = (cookieHeader: string) =>
    k.handle({ method: 'GET', cookieHeader, clientAddress: '192.0.2.7', raw: {} })
  const warm = fake.login('usr-rotation-warm')
  expect((await send(cookies({ cbo_session_token: warm.sessionToken }))).action).toBe('none')
  return send
}

it('a token the refresh returns, signed with a key rotated in since the last download, is verified: the keys are downloaded once more', async () => {
  const send = await warmKeepAlive()
  // Signed with the key the keep-alive holds; its refresh is signed with the next one.
  const near = nearExpirySession(fake, 'usr-rotation-1')
  await fake.rotateSigningKey()
  const downloads = keyDownloads()

  const outcome = await send(near.header)

  expect(outcome.action).toBe('refreshed')
  expect(outcome.failure).toBeUndefined()
  expect(outcome.session?.userId).toBe('usr-rotation-1')
  expect(keyDownloads()).toBe(downloads + 1)

  // A token a client presents, naming a key not held, still waits for jose's cooldown: forged
  // `kid`s cost no download.
  await fake.rotateSigningKey()
  const presented = fake.login('usr-rotation-2')
  const before = keyDownloads()
  const anonymous = await send(cookies({ cbo_session_token: presented.sessionToken }))
  expect(anonymous.session).toBeUndefined()
  expect(keyDownloads()).toBe(before)
})

it('several users refreshing at once right after a rotation are all refreshed, with one download of the keys', async () => {
  const send = await warmKeepAlive()
  const near = ['a', 'b', 'c', 'd', 'e'].map((name) =>
    nearExpirySession(fake, `usr-rotation-together-${name}`),
  )
  await fake.rotateSigningKey()
  fake.setLatency(50, 'jwks')
  try {
    const downloads = keyDownloads()

    const outcomes = await Promise.all(near.map(async (session) => send(session.header)))

    expect(outcomes.map((outcome) => outcome.failure ?? outcome.action)).toEqual(
      Array(near.length).fill('refreshed'),
    )
    expect(keyDownloads()).toBe(downloads + 1)
  } finally {
    fake.setLatency(0, 'jwks')
  }
})

/**
 * A keep-alive with a 600 ms budget whose coordinator records how long each upstream refresh held
 * its coordination (a Redis coordinator's lock), and whose circuit opens at the first failure.
 */
async function keepAliveTimingItsRefreshes() {
  const held: number[] = []
  const errors: KeepAliveError[] = []
  const memory = new MemoryCoordinator()
  const timing: RefreshCoordinator = {
    coordinate: (key, refresh) =>
      memory.coordinate(key, async () => {
        const started = performance.now()
        try {
          return await refresh()
        } finally {
          held.push(performance.now() - started)
        }
      }),
  }
  const k = createKeepAlive<object>({
    projectId: fake.projectId,
    frontendApiUrl: fake.url,
    refreshTimeoutMs: HANG_BUDGET_MS,
    coordinator: timing,
    circuitBreaker: { failureThreshold: 1, cooldownMs: 500 },
    onError: (error) => errors.push(error),
  })
  const send = (cookieHeader: string) =>
    k.handle({ method: 'GET', cookieHeader, clientAddress: '192.0.2.7', raw: {} })
  const warm = fake.login('usr-rotation-hang-warm')
  expect((await send(cookies({ cbo_session_token: warm.sessionToken }))).action).toBe('none')
  return { k, send, held, errors }
}

const HANG_BUDGET_MS = 600

/** The messages of the reported failures to verify a refreshed token. */
const rejectionsIn = (errors: readonly KeepAliveError[]) =>
  errors.flatMap((error) =>
    error instanceof RefreshFailedError && error.reason === 'unverifiable-token'
      ? [error.message]
      : [],
  )

/**
 * The one refresh started, still going on after its request answered at its deadline, let go of
 * its coordination within the budget (and a margin for a busy machine).
 */
async function expectHeldWithinBudget(held: readonly number[]) {
  await vi.waitFor(() => {
    expect(held).toHaveLength(1)
  }, 5000)
  expect(held[0]).toBeLessThan(HANG_BUDGET_MS + 350)
}

/** Past a stalled key download's own timeout, and the second before another may start. */
const afterStalledDownload = () =>
  new Promise((resolve) => setTimeout(resolve, HANG_BUDGET_MS + 1100))

it('a refresh whose new token cannot be verified within refreshTimeoutMs, because the rotated-in keys do not download, lets go of its coordination in time and is not lost: the next request uses it', async () => {
  const { k, send, held, errors } = await keepAliveTimingItsRefreshes()
  const near = nearExpirySession(fake, 'usr-rotation-hang')
  await fake.rotateSigningKey()
  const refreshesBefore = fake.refreshCount
  fake.setLatency(500, 'refresh')
  fake.setLatency(5000, 'jwks')
  try {
    const first = await send(near.header)

    expect(first.failure).toBe('timeout')
    // The call took 500 ms of the 600: the key download after it got the rest, not a timeout of
    // its own (nor two), which ended past 1100 ms.
    await expectHeldWithinBudget(held)
    // The keys could not be had: the circuit counts it as a failure, as it did before.
    expect(k.stats().circuit).toBe('open')
  } finally {
    fake.setLatency(0, 'refresh')
    fake.setLatency(0, 'jwks')
  }
  await afterStalledDownload()

  const second = await send(near.header)

  expect(second.action).toBe('refreshed')
  expect(second.session?.userId).toBe('usr-rotation-hang')
  expect(fake.refreshCount).toBe(refreshesBefore + 1)
  expect(rejectionsIn(errors)).toEqual([])
})

it('a new token shared before it could be verified, that then fails verification, is reported and used by no request', async () => {
  const { send, held, errors } = await keepAliveTimingItsRefreshes()
  const near = nearExpirySession(fake, 'usr-rotation-late-forged')
  const refreshesBefore = fake.refreshCount
  // Signed with a key the JWKS never lists; the download that tells so ends after the budget.
  fake.setFault({ type: 'unknown-key', route: 'refresh', times: 1 })
  fake.setLatency(300, 'refresh')
  fake.setLatency(450, 'jwks')
  try {
    expect((await send(near.header)).failure).toBe('timeout')
    await expectHeldWithinBudget(held)
    // The check, late, found the token forged and reported it.
    await vi.waitFor(() => {
      expect(rejectionsIn(errors)).toEqual([
        'corbado-keepalive: refresh failed (unverifiable-token): the new session-token was rejected (signature)',
      ])
    }, 5000)
  } finally {
    fake.setFault(undefined)
    fake.setLatency(0, 'refresh')
    fake.setLatency(0, 'jwks')
  }
  await afterStalledDownload()

  const second = await send(near.header)

  expect(second.failure).toBe('unverifiable-token')
  // Served fail-open with the presented token, still valid; nothing written.
  expect(second.session?.userId).toBe('usr-rotation-late-forged')
  expect(second.session?.token).toBe(near.sessionToken)
  expect(second.setCookies).toEqual([])
  expect(fake.refreshCount).toBe(refreshesBefore + 1)
})
