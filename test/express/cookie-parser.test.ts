import { createServer } from 'node:http'
import cookieParser from 'cookie-parser'
import express5 from 'express'
import express4 from 'express4'
import type { Request, Response } from 'express'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { corbadoKeepAlive } from '../../src/express.js'
import { startFakeCorbado } from '../../src/testing/index.js'
import type { FakeCorbado } from '../../src/testing/index.js'
import { cookies, listen } from '../helpers/http.js'

describe.each([
  { name: 'Express 4', express: express4 },
  { name: 'Express 5', express: express5 },
])('$name: cookie-parser mounted first', ({ express }) => {
  let fake: FakeCorbado

  beforeAll(async () => {
    fake = await startFakeCorbado()
  })
  afterAll(async () => {
    await fake.close()
  })

  async function jarAfter(header: string): Promise<Record<string, string>> {
    const app = express()
    app.use(cookieParser())
    app.use(corbadoKeepAlive({ projectId: fake.projectId, frontendApiUrl: fake.url }))
    app.get('/', (req: Request, res: Response) => res.json(req.cookies))
    const server = await listen(createServer(app))
    const response = await fetch(server.url, { headers: { cookie: header } })
    await server.close()
    return (await response.json()) as Record<string, string>
  }

  it('req.cookies carries the refreshed token', async () => {
    const { sessionToken, refreshToken } = fake.login('usr-1', { sessionLifetimeSeconds: 30 })
    const jar = await jarAfter(
      cookies({ a: '1', cbo_short_session: sessionToken, cbo_refresh_token: refreshToken }),
    )
    expect(jar.a).toBe('1')
    expect(jar.cbo_session_token).toBeDefined()
    expect(jar.cbo_session_token).not.toBe(sessionToken)
    expect(jar).not.toHaveProperty('cbo_short_session')
  })

  it('req.cookies loses the dead tokens when the session ended', async () => {
    const { sessionToken, refreshToken } = fake.login('usr-1', { sessionLifetimeSeconds: 30 })
    fake.revoke(refreshToken)
    const jar = await jarAfter(
      cookies({ a: '1', cbo_session_token: sessionToken, cbo_refresh_token: refreshToken }),
    )
    expect(jar).toEqual({ a: '1' })
  })
})
