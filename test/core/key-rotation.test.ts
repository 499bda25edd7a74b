/**
 * Corbado starts signing with a new key while the keep-alive holds the old key set, inside jose's
 * 30 s cooldown between two downloads for an unknown `kid`. Through createKeepAlive().handle()
 * against the fake Frontend API over HTTP.
 */
import { afterAll, beforeAll, expect, it, vi } from 'vitest'
import { createKeepAlive, MemoryCoordinator } from '../../src/index.js'
import type { RefreshCoordinator } from '../../src/index.js'
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

it('a refresh whose new token cannot be verified within refreshTimeoutMs, because the rotated-in keys do not download, lets go of its coordination in time and is not lost: the next request uses it', async () => {
  const timeoutMs = 600
  // How long each upstream refresh held its coordination (a Redis coordinator's lock).
  const held: number[] = []
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
    refreshTimeoutMs: timeoutMs,
    coordinator: timing,
  })
  const send = (cookieHeader: string) =>
    k.handle({ method: 'GET', cookieHeader, clientAddress: '192.0.2.7', raw: {} })
  const warm = fake.login('usr-rotation-hang-warm')
  expect((await send(cookies({ cbo_session_token: warm.sessionToken }))).action).toBe('none')
  const near = nearExpirySession(fake, 'usr-rotation-hang')
  await fake.rotateSigningKey()
  const refreshesBefore = fake.refreshCount
  fake.setLatency(500, 'refresh')
  fake.setLatency(5000, 'jwks')
  try {
    const first = await send(near.header)

    expect(first.failure).toBe('timeout')
    // The request answered at its deadline; the refresh it started goes on.
    await vi.waitFor(() => {
      expect(held).toHaveLength(1)
    }, 5000)
    // The call took 500 ms of the 600: the key download after it got the rest, not a timeout of
    // its own (nor two), which ended past 1100 ms.
    expect(held[0]).toBeLessThan(timeoutMs + 350)
  } finally {
    fake.setLatency(0, 'refresh')
    fake.setLatency(0, 'jwks')
  }
  // Past the stalled download's own timeout and the second before another may start.
  await new Promise((resolve) => setTimeout(resolve, timeoutMs + 1100))

  const second = await send(near.header)

  expect(second.action).toBe('refreshed')
  expect(second.session?.userId).toBe('usr-rotation-hang')
  expect(fake.refreshCount).toBe(refreshesBefore + 1)
})
