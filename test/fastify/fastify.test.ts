import fastifyCookie from '@fastify/cookie'
import fastify5 from 'fastify'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import fastify4 from 'fastify4'
import fastifyCookie9 from 'fastify-cookie9'
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest'
import { corbadoKeepAlive } from '../../src/fastify.js'
import { InvalidOptionError } from '../../src/index.js'
import type { CorbadoSession } from '../../src/index.js'
import { startFakeCorbado } from '../../src/testing/index.js'
import type { FakeCorbado } from '../../src/testing/index.js'
import { nearExpirySession } from '../helpers/sessions.js'

describe.each([
  { name: 'Fastify 4', fastify: fastify4, cookiePlugin: fastifyCookie9 },
  { name: 'Fastify 5', fastify: fastify5, cookiePlugin: fastifyCookie },
])('$name: Fastify specifics', ({ fastify, cookiePlugin }) => {
  let fake: FakeCorbado

  beforeAll(async () => {
    fake = await startFakeCorbado()
  })
  afterAll(async () => {
    await fake.close()
  })

  const options = () => ({ projectId: fake.projectId, frontendApiUrl: fake.url })

  /** What a route saw, as JSON. */
  function seenBy(request: FastifyRequest) {
    return {
      userId: request.corbadoSession?.userId ?? null,
      header: request.headers.cookie ?? null,
      jar: (request as unknown as { cookies: Record<string, string> | null }).cookies
        ?.cbo_session_token,
    }
  }

  it('works through inject(), with no server listening', async () => {
    const app = fastify()
    await app.register(corbadoKeepAlive, options())
    app.get('/me', (request) => seenBy(request))
    const { header } = nearExpirySession(fake, 'usr-1')
    const response = await app.inject({ url: '/me', headers: { cookie: header } })
    const written = response.cookies.find((c) => c.name === 'cbo_session_token')?.value
    expect(written).toBeDefined()
    expect(response.json()).toMatchObject({ userId: 'usr-1' })
    expect(response.json<{ header: string }>().header).toContain(written)
    expect(response.headers['cache-control']).toBe('private, no-store')
    expect(app.corbadoKeepAlive.stats().refreshes).toBe(1)
    await app.close()
  })

  it.each(['before', 'after'] as const)(
    "rewrites @fastify/cookie's request.cookies, registered %s the keep-alive",
    async (order) => {
      const app = fastify()
      if (order === 'before') await app.register(cookiePlugin)
      await app.register(corbadoKeepAlive, options())
      if (order === 'after') await app.register(cookiePlugin)
      app.get('/me', (request) => seenBy(request))
      const { header, sessionToken } = nearExpirySession(fake, 'usr-1')
      const response = await app.inject({ url: '/me', headers: { cookie: header } })
      const written = response.cookies.find((c) => c.name === 'cbo_session_token')?.value
      expect(written).toBeDefined()
      expect(written).not.toBe(sessionToken)
      expect(response.json()).toMatchObject({ userId: 'usr-1', jar: written })
      await app.close()
    },
  )

  it('applies to routes of encapsulated plugins, registered after it', async () => {
    const app = fastify()
    await app.register(corbadoKeepAlive, options())
    await app.register(
      (child: FastifyInstance, _opts, done) => {
        child.get('/inner', (request) => seenBy(request))
        done()
      },
      { prefix: '/api' },
    )
    const { header } = nearExpirySession(fake, 'usr-2')
    const response = await app.inject({ url: '/api/inner', headers: { cookie: header } })
    expect(response.json()).toMatchObject({ userId: 'usr-2' })
    expect(response.cookies.map((c) => c.name)).toContain('cbo_session_token')
    await app.close()
  })

  it('hands the Fastify request to getRefreshToken', async () => {
    const app = fastify()
    const { refreshToken } = fake.login('usr-3')
    await app.register(corbadoKeepAlive, {
      ...options(),
      getRefreshToken: (request: FastifyRequest) => request.headers['x-refresh-token'] as string,
    })
    app.get('/me', (request) => seenBy(request))
    const response = await app.inject({ url: '/me', headers: { 'x-refresh-token': refreshToken } })
    expect(response.json()).toMatchObject({ userId: 'usr-3' })
    await app.close()
  })

  it('rejects invalid options at register, naming the option', async () => {
    const app = fastify()
    const error = await (async () => {
      await app.register(corbadoKeepAlive, { projectId: 'nope' })
    })().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(InvalidOptionError)
    expect(error).toMatchObject({ option: 'projectId' })
    await app.close().catch(() => undefined)
  })
})

it('types request.corbadoSession by declaration merging', () => {
  expectTypeOf<FastifyRequest['corbadoSession']>().toEqualTypeOf<CorbadoSession | undefined>()
})
