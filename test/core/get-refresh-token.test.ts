import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createKeepAlive, HookFailedError } from '../../src/index.js'
import type { KeepAliveError, KeepAliveOptions } from '../../src/index.js'
import { startFakeCorbado } from '../../src/testing/index.js'
import type { FakeCorbado } from '../../src/testing/index.js'

let fake: FakeCorbado
beforeAll(async () => {
  fake = await startFakeCorbado()
})
afterAll(async () => {
  await fake.close()
})

function handle(options: Partial<KeepAliveOptions>, cookieHeader: string | undefined) {
  const keepAlive = createKeepAlive({
    projectId: fake.projectId,
    frontendApiUrl: fake.url,
    ...options,
  })
  return keepAlive.handle({ method: 'GET', cookieHeader, clientAddress: undefined, raw: {} })
}

describe('getRefreshToken returning a promise', () => {
  it('is awaited: the refresh-token it resolves with refreshes the session', async () => {
    const { refreshToken } = fake.login('usr-async')
    const outcome = await handle(
      { getRefreshToken: () => new Promise((resolve) => setTimeout(resolve, 20, refreshToken)) },
      'unrelated=1',
    )
    expect(outcome.action).toBe('refreshed')
    expect(outcome.session?.userId).toBe('usr-async')
  })

  it('is never asked for a request whose session-token is fresh', async () => {
    const { sessionToken } = fake.login('usr-fresh')
    let asked = 0
    const outcome = await handle(
      {
        getRefreshToken: () => {
          asked++
          return Promise.resolve(undefined)
        },
      },
      `cbo_session_token=${sessionToken}`,
    )
    expect(outcome.session?.userId).toBe('usr-fresh')
    expect(asked).toBe(0)
  })

  it('a rejection is reported to onError and falls back to the refresh cookie', async () => {
    const { refreshToken } = fake.login('usr-cookie')
    const errors: KeepAliveError[] = []
    const outcome = await handle(
      {
        getRefreshToken: () => Promise.reject(new Error('store down')),
        onError: (error) => errors.push(error),
      },
      `cbo_refresh_token=${refreshToken}`,
    )
    expect(outcome.action).toBe('refreshed')
    expect(outcome.session?.userId).toBe('usr-cookie')
    expect(errors).toHaveLength(1)
    expect(errors[0]).toBeInstanceOf(HookFailedError)
    expect(errors[0]?.message).toContain('getRefreshToken')
  })

  it('a promise that never settles holds the request no longer than refreshTimeoutMs', async () => {
    const startedAt = Date.now()
    const outcome = await handle(
      { getRefreshToken: () => new Promise<undefined>(() => undefined), refreshTimeoutMs: 200 },
      'unrelated=1',
    )
    expect(outcome.session).toBeUndefined()
    expect(Date.now() - startedAt).toBeLessThan(5000)
  })
})
