import { createServer, request as rawRequest } from 'node:http'
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http'
import express from 'express'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { corbadoGateway } from '../../src/gateway.js'
import type { GatewayOptions } from '../../src/gateway.js'
import { startFakeCorbado } from '../../src/testing/index.js'
import type { FakeCorbado } from '../../src/testing/index.js'
import { listen } from '../helpers/http.js'
import type { RunningServer } from '../helpers/http.js'
import { leaveLongPoll, startHangingUpstream } from '../helpers/long-poll.js'
import { SMUGGLED_BODY, SMUGGLED_PATH, smuggleThrough } from '../helpers/smuggling.js'

type TestGateway = RunningServer & { fetch(path: string, init?: RequestInit): Promise<Response> }

/** An Express app with the gateway mounted at `mount`. */
async function startApp(options: GatewayOptions, mount = '/.corbado'): Promise<TestGateway> {
  const app = express()
  if (mount === '') app.use(corbadoGateway(options))
  else app.use(mount, corbadoGateway(options))
  const server = await listen(createServer(app))
  return {
    ...server,
    fetch: (path, init = {}) => fetch(server.url + path, { redirect: 'manual', ...init }),
  }
}

/** A request with headers `fetch` refuses to send (Connection, TE, Upgrade, …): status and body. */
function send(
  url: string,
  headers: OutgoingHttpHeaders,
  method = 'GET',
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    // The path is sent as it is: a URL object would already resolve `..` and backslashes.
    const { hostname, port, pathname, search } = new URL(url)
    const path = url.slice(url.indexOf('/', url.indexOf('//') + 2)) || pathname + search
    const req = rawRequest({ hostname, port, path, method, headers }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => {
        body += chunk
      })
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, body })
      })
    })
    req.on('error', reject)
    req.end()
  })
}

/** Headers a browser, a staging site's basic auth, or an attacker could put on a request. */
const UNWANTED: OutgoingHttpHeaders = {
  authorization: 'Basic c3RhZ2luZzpzZWNyZXQ=',
  'proxy-authorization': 'Basic cHJveHk6c2VjcmV0',
  'x-csrf-token': 'app-csrf',
  'x-forwarded-host': 'evil.test',
  'x-forwarded-proto': 'https',
  forwarded: 'for=1.2.3.4;host=evil.test;proto=https',
  'x-api-key': 'app-key',
  referer: 'https://app.example/private/page?q=1',
  connection: 'keep-alive, x-hop',
  'x-hop': 'only for the next hop',
  te: 'trailers',
  'keep-alive': 'timeout=5',
  'proxy-connection': 'keep-alive',
}

/** What the Corbado SDK sends, and what a preflight and a conditional request carry. */
const WANTED: Record<string, string> = {
  accept: 'application/json',
  'accept-language': 'de-DE',
  'content-type': 'application/json',
  'cache-control': 'no-cache',
  pragma: 'no-cache',
  expires: '0',
  'if-none-match': '"v1"',
  origin: 'https://app.example',
  'user-agent': 'Mozilla/5.0 test',
  'access-control-request-method': 'POST',
  'access-control-request-headers': 'x-corbado-projectid, content-type',
  'x-corbado-projectid': 'pro-1',
  'x-corbado-sdk': '{"name":"web-core","sdkVersion":"3.5.0"}',
  'x-corbado-client-timezone': 'Europe/Berlin',
  'x-corbado-flags': 'preview',
  'x-corbado-process-id': 'process-token',
  'x-corbado-temp-process-id': 'temp-process-token',
}

describe('corbadoGateway: what reaches the Frontend API', () => {
  let fake: FakeCorbado
  let app: TestGateway

  beforeAll(async () => {
    fake = await startFakeCorbado()
    app = await startApp({ projectId: fake.projectId, frontendApiUrl: fake.url })
  })
  afterAll(async () => {
    await app.close()
    await fake.close()
  })
  beforeEach(() => {
    fake.resetCalls()
  })

  it('forwards the SDK’s headers and drops the app’s credentials, forged forwarding and hop-by-hop headers', async () => {
    await send(`${app.url}/.corbado/v2/session-config?x=1`, {
      ...UNWANTED,
      ...WANTED,
      cookie: 'app_session=secret; cbo_refresh_token=rt',
    })
    const received = fake.calls.at(-1)!.headers
    for (const [name, value] of Object.entries(WANTED)) expect(received[name], name).toBe(value)
    for (const name of Object.keys(UNWANTED)) {
      if (name.startsWith('x-forwarded-')) continue
      expect(received[name], name).toBeUndefined()
    }
    expect(received.cookie).toBe('cbo_refresh_token=rt')
    expect(received['x-forwarded-host']).toBe(new URL(app.url).host)
    expect(received['x-forwarded-proto']).toBe('http')
    expect(received['x-forwarded-for']).toMatch(/127\.0\.0\.1$/)
  })

  it.each([
    ['Bearer <refresh-token> (dev projects)', 'Bearer rt-123', 'Bearer rt-123'],
    ['an empty Bearer (prod)', 'Bearer ', 'Bearer'],
    ['bearer in lower case', 'bearer rt-123', 'bearer rt-123'],
    ['Basic (a password-protected staging site)', 'Basic dXNlcjpwdw==', undefined],
    ['Digest', 'Digest username="u"', undefined],
    ['a token that only starts like Bearer', 'Bearerx', undefined],
  ])('Authorization %s', async (_, sent, forwarded) => {
    await send(`${app.url}/.corbado/v2/me`, { authorization: sent })
    expect(fake.calls.at(-1)!.headers.authorization).toBe(forwarded)
  })
})

describe('corbadoGateway: security against a scripted upstream', () => {
  let upstream: RunningServer
  let handler: (req: IncomingMessage, res: ServerResponse) => void
  const apps: TestGateway[] = []

  async function start(options: Partial<GatewayOptions> = {}, mount?: string) {
    const app = await startApp(
      { projectId: 'pro-1', frontendApiUrl: `${upstream.url}/fapi`, ...options },
      mount,
    )
    apps.push(app)
    return app
  }

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
  beforeEach(() => {
    handler = (req, res) => {
      res.setHeader('content-type', 'application/json')
      res.end(JSON.stringify({ url: req.url, headers: req.headers }))
    }
  })
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()))
  })

  it.each(['transfer-encoding', 'content-length'] as const)(
    'smuggles no request to the Frontend API through a Connection header naming %s',
    async (framing) => {
      const { status, seen } = await smuggleThrough(
        async (upstream) => (await start({ frontendApiUrl: `${upstream}/fapi` })).url,
        '/.corbado/v2/session-config',
        framing,
      )
      expect(status).toBe(200)
      expect(seen).toEqual([{ path: '/fapi/v2/session-config', body: SMUGGLED_BODY }])
      expect(seen.map(({ path }) => path)).not.toContain(SMUGGLED_PATH)
    },
  )

  it('closes the Frontend API request as soon as the client leaves', async () => {
    const hanging = await startHangingUpstream()
    try {
      const warnings: string[] = []
      const logger = {
        debug() {},
        info() {},
        warn: (_context: object, message: string) => warnings.push(message),
        error() {},
      }
      const app = await start({ frontendApiUrl: `${hanging.url}/fapi`, logger })
      expect(await leaveLongPoll(`${app.url}/.corbado/v2/me`, hanging)).toBeLessThan(2000)
      expect(warnings).not.toContain('corbado-keepalive: upstream request failed')
    } finally {
      await hanging.close()
    }
  })

  it('a response setting a cbo_* cookie follows the keep-alive’s cache rule: private, no-store, Vary: Cookie, no CDN caching', async () => {
    handler = (_req, res) => {
      res.setHeader('set-cookie', 'cbo_refresh_token=rt; Path=/; HttpOnly')
      res.setHeader('cache-control', 'no-store')
      res.setHeader('cdn-cache-control', 'max-age=60')
      res.setHeader('surrogate-control', 'max-age=60')
      res.setHeader('vary', 'Origin')
      res.end('ok')
    }
    const app = await start()
    const response = await app.fetch('/.corbado/v2/x')
    expect(response.headers.get('cache-control')).toBe('private, no-store')
    expect(response.headers.get('vary')).toBe('Origin, Cookie')
    expect(response.headers.get('cdn-cache-control')).toBeNull()
    expect(response.headers.get('surrogate-control')).toBeNull()
  })

  it.each([
    '/../admin',
    '/v2/../../admin',
    '/%2e%2e/admin',
    '/v2/%2E./admin',
    '/v2/.%2e/admin',
    '/./v2/me',
    '/v2/..%2fadmin',
    '/v2%2F..%2Fadmin',
    '/v2/..%5cadmin',
    '/v2\\..\\admin',
  ])(
    'refuses the traversal path %s with 400 in Corbado’s error envelope, upstream untouched',
    async (path) => {
      let reached = 0
      handler = (_req, res) => {
        reached++
        res.end('upstream')
      }
      const app = await start()
      const { status, body } = await send(`${app.url}/.corbado${path}`, {})
      expect(status).toBe(400)
      expect(JSON.parse(body)).toEqual({
        httpStatusCode: 400,
        message: 'The request path is not allowed',
        error: { type: 'bad_request', links: [] },
      })
      expect(reached).toBe(0)
    },
  )

  it('passes ordinary paths, queries with dots and encoded characters through', async () => {
    const app = await start()
    const { status, body } = await send(
      `${app.url}/.corbado/v2/a.b/c..d/%40x?next=../x&y=%2e%2e`,
      {},
    )
    expect(status).toBe(200)
    expect((JSON.parse(body) as { url: string }).url).toBe(
      '/fapi/v2/a.b/c..d/%40x?next=../x&y=%2e%2e',
    )
  })

  it('cuts a slow-drip upstream at totalTimeoutMs, although it is never idle for timeoutMs', async () => {
    let timer: NodeJS.Timeout | undefined
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' })
      timer = setInterval(() => res.write('.'), 20)
      res.on('close', () => {
        clearInterval(timer)
      })
    }
    const app = await start({ timeoutMs: 200, totalTimeoutMs: 400 })
    const started = performance.now()
    const response = await app.fetch('/.corbado/v2/drip')
    expect(response.status).toBe(200)
    await expect(response.text()).rejects.toThrow()
    const elapsed = performance.now() - started
    clearInterval(timer)
    expect(elapsed).toBeGreaterThanOrEqual(380)
    expect(elapsed).toBeLessThan(3000)
  })

  it('answers 504 when the whole exchange outlasts totalTimeoutMs before the headers', async () => {
    handler = (_req, res) => {
      // Silent for less than timeoutMs, so only the total bound can end it.
      setTimeout(() => res.end('late'), 800)
    }
    const app = await start({ timeoutMs: 1000, totalTimeoutMs: 300 })
    const response = await app.fetch('/.corbado/v2/late')
    expect(response.status).toBe(504)
    expect(await response.json()).toMatchObject({ error: { type: 'gateway_timeout' } })
  })
})
