import { createServer } from 'node:http'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { request as rawRequest } from 'node:http'
import express from 'express'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { corbadoKeepAlive } from '../../src/express.js'
import { corbadoGateway } from '../../src/gateway.js'
import type { GatewayOptions } from '../../src/gateway.js'
import { startFakeCorbado } from '../../src/testing/index.js'
import type { FakeCorbado } from '../../src/testing/index.js'
import { digestBody, digestOf } from '../helpers/body-digest.js'
import { claimsOf, cookies, listen, setCookieOf, valueOf } from '../helpers/http.js'
import type { RunningServer } from '../helpers/http.js'

/** An app with the gateway at `/.corbado` (after `express.json()`) and the keep-alive. */
async function startApp(
  options: GatewayOptions,
  keepAliveUrl?: string,
): Promise<RunningServer & { fetch(path: string, init?: RequestInit): Promise<Response> }> {
  const app = express()
  app.use(express.json())
  app.use('/.corbado', corbadoGateway(options))
  if (keepAliveUrl !== undefined) {
    app.use(corbadoKeepAlive({ projectId: options.projectId, frontendApiUrl: keepAliveUrl }))
  }
  app.get('/app/session', (req, res) => {
    res.json({ userId: req.corbadoSession?.userId ?? null, cookie: req.headers.cookie ?? null })
  })
  const server = await listen(createServer(app))
  return {
    ...server,
    fetch: (path, init = {}) => fetch(server.url + path, { redirect: 'manual', ...init }),
  }
}

const lastCall = (fake: FakeCorbado) => fake.calls.at(-1)

describe('corbadoGateway against the fake Frontend API', () => {
  let fake: FakeCorbado
  let app: Awaited<ReturnType<typeof startApp>>

  beforeAll(async () => {
    // The fake plays a Frontend API on its own domain; through the gateway its cookies move.
    fake = await startFakeCorbado({ cookieDomain: 'frontendapi.example' })
  })
  afterAll(async () => {
    await fake.close()
  })
  beforeEach(async () => {
    fake.setFault(undefined)
    fake.resetCalls()
    app = await startApp({ projectId: fake.projectId, frontendApiUrl: fake.url }, fake.url)
  })
  afterEach(async () => {
    await app.close()
  })

  it('strips the mount path and keeps method, path and query', async () => {
    const response = await app.fetch('/.corbado/.well-known/jwks?kid=a&x=%2F', {
      headers: { 'x-corbado-sdk': 'web-js/1' },
    })
    expect(response.status).toBe(200)
    expect(((await response.json()) as { keys: unknown[] }).keys.length).toBeGreaterThan(0)
    const call = lastCall(fake)
    expect(call).toMatchObject({ method: 'GET', path: '/.well-known/jwks?kid=a&x=%2F' })
    expect(call?.headers['x-corbado-sdk']).toBe('web-js/1')
    expect(call?.headers.host).toBe(new URL(fake.url).host)
    expect(call?.headers['x-forwarded-for']).toBeDefined()
  })

  it('forwards the status and body of errors as they are', async () => {
    const missingProject = await app.fetch('/.corbado/v2/session-config')
    expect(missingProject.status).toBe(400)
    expect(await missingProject.json()).toMatchObject({ error: { type: 'project_id_mismatch' } })

    const unknown = await app.fetch('/.corbado/v2/nope', { method: 'DELETE' })
    expect(unknown.status).toBe(404)
    expect(lastCall(fake)).toMatchObject({ method: 'DELETE', path: '/v2/nope' })
  })

  it('forwards a JSON body even when express.json() read it first', async () => {
    const response = await app.fetch('/.corbado/__fake/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userId: 'usr-7', email: 'seven@example.com' }),
    })
    expect(response.status).toBe(200)
    const body = (await response.json()) as { sessionToken: string }
    expect(claimsOf(body.sessionToken)).toMatchObject({ sub: 'usr-7', email: 'seven@example.com' })
  })

  it('makes cbo_refresh_token a host-only cookie of the app, other attributes kept', async () => {
    const response = await app.fetch('/.corbado/__fake/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userId: 'usr-1' }),
    })
    const setCookie = setCookieOf(response, 'cbo_refresh_token')
    expect(setCookie).toBeDefined()
    expect(setCookie).not.toMatch(/domain=/i)
    expect(setCookie).toMatch(/; Path=\/(;|$)/)
    expect(setCookie).toMatch(/HttpOnly/)
    expect(setCookie).toMatch(/Secure/)
    expect(setCookie).toMatch(/SameSite=Lax/)
    expect(response.headers.get('cache-control')).toBe('private, no-store')
  })

  it('the refresh-token set through the gateway keeps the session alive on the app', async () => {
    const login = await app.fetch('/.corbado/__fake/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userId: 'usr-2' }),
    })
    const refreshToken = valueOf(setCookieOf(login, 'cbo_refresh_token'))
    expect(refreshToken).toBeDefined()
    // The session cookie is gone (tab closed past its lifetime); only the refresh cookie remains.
    const response = await app.fetch('/app/session', {
      headers: { cookie: cookies({ cbo_refresh_token: refreshToken }) },
    })
    expect(await response.json()).toMatchObject({ userId: 'usr-2' })
    expect(setCookieOf(response, 'cbo_session_token')).toBeDefined()
    expect(fake.refreshCount).toBe(1)
  })

  it('rewrites the clearing Set-Cookie of a logout the same way', async () => {
    const { refreshToken } = fake.login('usr-3')
    const response = await app.fetch('/.corbado/v2/me/logout', {
      method: 'POST',
      headers: {
        'x-corbado-projectid': fake.projectId,
        cookie: cookies({ cbo_refresh_token: refreshToken }),
      },
    })
    expect(response.status).toBe(204)
    const cleared = response.headers.getSetCookie()
    expect(cleared.map((c) => c.split('=')[0])).toEqual(['cbo_refresh_token', 'cbo_long_session'])
    for (const setCookie of cleared) {
      expect(setCookie).toMatch(/Max-Age=0/)
      expect(setCookie).toMatch(/; Path=\//)
      expect(setCookie).not.toMatch(/domain=/i)
    }
  })

  it('sends only cbo_* cookies upstream', async () => {
    const { refreshToken } = fake.login('usr-4')
    await app.fetch('/.corbado/v2/me', {
      headers: {
        'x-corbado-projectid': fake.projectId,
        cookie: `app_session=s3cret; cbo_refresh_token=${refreshToken}; theme=dark; cbo_x=1`,
      },
    })
    expect(lastCall(fake)?.headers.cookie).toBe(`cbo_refresh_token=${refreshToken}; cbo_x=1`)

    await app.fetch('/.corbado/v2/me', { headers: { cookie: 'app_session=s3cret; theme=dark' } })
    expect(lastCall(fake)?.headers.cookie).toBeUndefined()
  })

  it('passes CORS preflights on to the Frontend API, which answers them', async () => {
    const response = await app.fetch('/.corbado/v2/me/refresh', {
      method: 'OPTIONS',
      headers: {
        origin: 'https://app.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'x-corbado-projectid',
      },
    })
    expect(response.status).toBe(204)
    expect(response.headers.get('access-control-allow-origin')).toBe('https://app.example')
    expect(response.headers.get('access-control-allow-credentials')).toBe('true')
    expect(response.headers.get('access-control-allow-methods')).toMatch(/POST/)
    expect(lastCall(fake)).toMatchObject({ method: 'OPTIONS', path: '/v2/me/refresh' })
    expect(lastCall(fake)?.headers.origin).toBe('https://app.example')
  })

  it('answers 504 with JSON when the Frontend API stays silent past timeoutMs', async () => {
    const slow = await startApp({
      projectId: fake.projectId,
      frontendApiUrl: fake.url,
      timeoutMs: 200,
    })
    try {
      fake.setFault({ type: 'hang' })
      const startedAt = Date.now()
      const response = await slow.fetch('/.corbado/v2/me/refresh', { method: 'POST' })
      expect(Date.now() - startedAt).toBeLessThan(5_000)
      expect(response.status).toBe(504)
      expect(response.headers.get('content-type')).toMatch(/application\/json/)
      expect(await response.json()).toMatchObject({
        httpStatusCode: 504,
        error: { type: 'gateway_timeout' },
      })
    } finally {
      await slow.close()
    }
  })

  it('answers 502 with JSON when the Frontend API is unreachable', async () => {
    const closed = await listen(createServer())
    await closed.close()
    const logged: Record<string, unknown>[] = []
    const broken = await startApp({
      projectId: fake.projectId,
      frontendApiUrl: closed.url,
      publicUrl: 'https://app.example/.corbado',
      logger: { warn: (context) => logged.push(context), error: () => undefined },
    })
    try {
      const response = await broken.fetch('/.corbado/v2/me?token=secret', {
        headers: { cookie: 'cbo_refresh_token=rt-secret' },
      })
      expect(response.status).toBe(502)
      expect(await response.json()).toMatchObject({
        httpStatusCode: 502,
        error: { type: 'bad_gateway' },
      })
      expect(logged).toEqual([expect.objectContaining({ status: 502, code: 'ECONNREFUSED' })])
      expect(JSON.stringify(logged)).not.toMatch(/secret/)
    } finally {
      await broken.close()
    }
  })
})

describe('corbadoGateway against a scripted upstream', () => {
  let upstream: RunningServer
  let app: Awaited<ReturnType<typeof startApp>>
  let handler: (req: IncomingMessage, res: ServerResponse) => void

  beforeAll(async () => {
    upstream = await listen(
      createServer((req, res) => {
        handler(req, res)
      }),
    )
  })
  afterAll(async () => {
    await upstream.close()
  })
  beforeEach(async () => {
    app = await startApp({
      projectId: 'pro-1',
      frontendApiUrl: `${upstream.url}/fapi`,
      cookieDomain: 'app.example',
    })
  })
  afterEach(async () => {
    await app.close()
  })

  it('drops cookies that are not Corbado’s and moves cbo_* to the configured domain', async () => {
    handler = (_req, res) => {
      res.setHeader('set-cookie', [
        'session=evil; Path=/; Domain=fapi.example',
        'cbo_refresh_token=rt; Domain=fapi.example; Path=/v2; HttpOnly; Secure; SameSite=None',
        'AWSALB=sticky; Path=/',
      ])
      res.setHeader('cache-control', 'max-age=60')
      res.end('ok')
    }
    const response = await app.fetch('/.corbado/v2/x')
    expect(response.headers.getSetCookie()).toEqual([
      'cbo_refresh_token=rt; Path=/; Domain=app.example; HttpOnly; Secure; SameSite=None',
    ])
    expect(response.headers.get('cache-control')).toBe('private, no-store')
  })

  it('keeps redirects to the Frontend API on the gateway, and others as they are', async () => {
    const targets: Record<string, string> = {
      '/a': `${upstream.url}/fapi/v2/next?step=2`,
      '/b': '/fapi/v2/other',
      '/c': 'https://elsewhere.example/page',
      '/d': 'relative/path',
    }
    handler = (req, res) => {
      res.writeHead(302, { location: targets[(req.url ?? '').replace('/fapi', '')] ?? '/' })
      res.end()
    }
    const locations = await Promise.all(
      ['/a', '/b', '/c', '/d'].map(async (path) => {
        const response = await app.fetch(`/.corbado${path}`)
        return response.headers.get('location')
      }),
    )
    expect(locations).toEqual([
      '/.corbado/v2/next?step=2',
      '/.corbado/v2/other',
      'https://elsewhere.example/page',
      'relative/path',
    ])
  })

  it('streams a large request body and response body through', async () => {
    handler = (req, res) => {
      void digestBody(req).then((digest) => {
        res.writeHead(201, { 'content-type': 'application/json', 'x-upstream': 'yes' })
        res.end(JSON.stringify({ ...digest, url: req.url }))
      })
    }
    const body = Buffer.alloc(5 * 1024 * 1024, 7)
    const response = await app.fetch('/.corbado/v2/upload?q=1', {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream' },
      body,
    })
    expect(response.status).toBe(201)
    expect(response.headers.get('x-upstream')).toBe('yes')
    expect(await response.json()).toEqual({
      ...digestOf(body),
      url: '/fapi/v2/upload?q=1',
    })
  })

  it('forwards a request sent with Expect: 100-continue', async () => {
    handler = (req, res) => {
      res.end(
        JSON.stringify({ expect: req.headers.expect ?? null, cookie: req.headers.cookie ?? null }),
      )
    }
    const port = Number(new URL(app.url).port)
    const answer = await new Promise<string>((resolve, reject) => {
      const req = rawRequest(
        {
          port,
          host: '127.0.0.1',
          method: 'POST',
          path: '/.corbado/v2/x',
          headers: {
            expect: '100-continue',
            cookie: 'mine=1; cbo_a=2',
            'content-type': 'text/plain',
          },
          timeout: 5_000,
        },
        (res) => {
          let text = ''
          res.setEncoding('utf8')
          res.on('data', (chunk: string) => (text += chunk))
          res.on('end', () => {
            resolve(text)
          })
        },
      )
      req.on('continue', () => req.end('hello'))
      req.on('timeout', () => req.destroy(new Error('timeout')))
      req.on('error', reject)
    })
    expect(JSON.parse(answer)).toEqual({ expect: null, cookie: 'cbo_a=2' })
  })

  it('cuts the response when the Frontend API stalls mid-body', async () => {
    const slow = await startApp({
      projectId: 'pro-1',
      frontendApiUrl: `${upstream.url}/fapi`,
      timeoutMs: 200,
    })
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' })
      res.write('partial')
    }
    try {
      const response = await slow.fetch('/.corbado/v2/stall')
      expect(response.status).toBe(200)
      await expect(response.text()).rejects.toThrow()
    } finally {
      await slow.close()
    }
  })
})
