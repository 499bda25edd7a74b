import { SDK, Config } from '@corbado/node-sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startFakeCorbado } from '../../src/testing/index.js'
import type { FakeCorbado } from '../../src/testing/index.js'
import { FRAMEWORKS } from '../helpers/frameworks.js'
import { cookies, setCookieOf, valueOf } from '../helpers/http.js'

describe.each(FRAMEWORKS)('$name: interop with @corbado/node-sdk', (framework) => {
  let fake: FakeCorbado

  beforeAll(async () => {
    fake = await startFakeCorbado()
  })
  afterAll(async () => {
    await fake.close()
  })

  it('a downstream handler using validateToken accepts the refreshed token', async () => {
    const sdk = new SDK(
      new Config(fake.projectId, `corbado1_${'x'.repeat(30)}`, fake.url, fake.url),
    )
    const app = await framework.start(
      { projectId: fake.projectId, frontendApiUrl: fake.url },
      { validateToken: (token) => sdk.sessions().validateToken(token) },
    )
    const expired = fake.mintSessionToken('usr-42', { expiresInSeconds: -30 })
    const { refreshToken } = fake.login('usr-42')

    const response = await app.get(
      '/validate',
      cookies({ cbo_session_token: expired, cbo_refresh_token: refreshToken }),
    )
    await app.close()
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ userId: 'usr-42' })
    expect(valueOf(setCookieOf(response, 'cbo_session_token'))).not.toBe(expired)
  })
})
