import { createServer, request as rawRequest } from 'node:http'
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http'
import { connect } from 'node:net'
import express from 'express'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startFakeCorbado } from '../../src/testing/index.js'
import type { FakeCorbado } from '../../src/testing/index.js'
import { cookies, listen } from '../helpers/http.js'
import type { RunningServer } from '../helpers/http.js'
import { killAll, proxyArgs, runCli } from './spawn.js'
import { requireBuiltDist } from '../helpers/dist.js'
import { SMUGGLED_BODY, SMUGGLED_PATH, smuggleThrough } from '../helpers/smuggling.js'
import type { CliRun } from './spawn.js'

/** A backend that answers every request with the headers it received. */
async function startHeaderEcho(): Promise<RunningServer> {
  return listen(
    createServer((req, res) => {
      res.setHeader('content-type', 'application/json')
      res.end(JSON.stringify(req.headers))
    }),
  )
}

/** An Express backend behind one proxy (`trust proxy = 1`): what Express makes of the request. */
async function startTrustingExpress(): Promise<RunningServer> {
  const app = express()
  app.set('trust proxy', 1)
  app.get('/who', (req, res) => {
    res.json({
      hostname: req.hostname,
      protocol: req.protocol,
      secure: req.secure,
      ip: req.ip,
      headers: req.headers,
    })
  })
  return listen(createServer(app))
}

/** A GET with headers `fetch` refuses to send (Connection, TE, Upgrade, …); the parsed JSON body. */
function getJson(url: string, headers: OutgoingHttpHeaders): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const req = rawRequest(url, { headers }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => {
        body += chunk
      })
      res.on('end', () => {
        resolve(JSON.parse(body) as Record<string, unknown>)
      })
    })
    req.on('error', reject)
    req.end()
  })
}

const FORGED: OutgoingHttpHeaders = {
  'x-forwarded-host': 'evil.test',
  'x-forwarded-proto': 'https',
  'x-forwarded-for': '6.6.6.6',
  forwarded: 'for=6.6.6.6;host=evil.test;proto=https',
}

async function startProxy(target: string, fake: FakeCorbado, extra: string[] = []) {
  const proxy: CliRun = runCli(proxyArgs(target, fake, '--log-level', 'debug', ...extra))
  const url = (await proxy.logLine('corbado-keepalive: proxy listening')).url as string
  return { proxy, url }
}

beforeAll(() => {
  requireBuiltDist()
}, 180_000)
afterEach(async () => {
  await killAll()
})

describe('corbado-keepalive proxy: security', () => {
  let fake: FakeCorbado
  let backend: RunningServer

  beforeAll(async () => {
    fake = await startFakeCorbado()
    backend = await startHeaderEcho()
  })
  afterAll(async () => {
    await backend.close()
    await fake.close()
  })
  beforeEach(() => {
    fake.setFault(undefined)
    fake.resetCalls()
  })

  it("A's session with B's refresh-token stays A's after B's refresh was reused", async () => {
    const { proxy, url } = await startProxy(backend.url, fake)
    const a = fake.login('usr-1001', { sessionLifetimeSeconds: 30 })
    const b = fake.login('usr-2002')
    const onlyB = await fetch(url, { headers: { cookie: `cbo_refresh_token=${b.refreshToken}` } })
    expect(onlyB.headers.getSetCookie().join()).toMatch(/cbo_session_token=/)
    const mixed = cookies({ cbo_session_token: a.sessionToken, cbo_refresh_token: b.refreshToken })
    const response = await fetch(url, { headers: { cookie: mixed } })
    const seen = (await response.json()) as IncomingHttpHeaders
    expect(response.headers.getSetCookie()).toEqual([])
    expect(seen.cookie).toBe(mixed)
    expect(fake.refreshCount).toBe(1)
    const mismatches = proxy
      .stderr()
      .split('\n')
      .filter((line) => line.includes('subject-mismatch'))
    expect(mismatches).toHaveLength(1)
    expect(JSON.parse(mismatches[0]!)).toMatchObject({ level: 'warn', reason: 'subject-mismatch' })
    for (const secret of [a.sessionToken, b.refreshToken, 'usr-1001', 'usr-2002']) {
      expect(proxy.stdout() + proxy.stderr()).not.toContain(secret)
    }
  })

  it.each(['transfer-encoding', 'content-length'] as const)(
    'smuggles no request to the backend through a Connection header naming %s',
    async (framing) => {
      const { status, seen } = await smuggleThrough(
        async (upstream) => (await startProxy(upstream, fake)).url,
        '/page',
        framing,
      )
      expect(status).toBe(200)
      expect(seen).toEqual([{ path: '/page', body: SMUGGLED_BODY }])
      expect(seen.map(({ path }) => path)).not.toContain(SMUGGLED_PATH)
    },
  )

  it('is the edge by default: the backend sees what the proxy saw, not forged X-Forwarded-*', async () => {
    const trusting = await startTrustingExpress()
    try {
      const { url } = await startProxy(trusting.url, fake)
      const host = new URL(url).host
      const seen = await getJson(`${url}/who`, FORGED)
      expect(seen).toMatchObject({
        hostname: '127.0.0.1',
        protocol: 'http',
        secure: false,
        ip: '127.0.0.1',
      })
      expect(seen.headers).toMatchObject({
        'x-forwarded-for': '127.0.0.1',
        'x-forwarded-proto': 'http',
        'x-forwarded-host': host,
        forwarded: `for=127.0.0.1;host="${host}";proto=http`,
      })
    } finally {
      await trusting.close()
    }
  })

  it('--trust-proxy appends to the X-Forwarded-* and Forwarded it received', async () => {
    const trusting = await startTrustingExpress()
    try {
      const { url } = await startProxy(trusting.url, fake, ['--trust-proxy'])
      const host = new URL(url).host
      const seen = await getJson(`${url}/who`, FORGED)
      expect(seen.headers).toMatchObject({
        'x-forwarded-for': '6.6.6.6, 127.0.0.1',
        'x-forwarded-proto': 'https, http',
        'x-forwarded-host': `evil.test, ${host}`,
        forwarded: `for=6.6.6.6;host=evil.test;proto=https, for=127.0.0.1;host="${host}";proto=http`,
      })
    } finally {
      await trusting.close()
    }
  })

  it('drops hop-by-hop headers and Proxy-Authorization on the way to the backend', async () => {
    const { url } = await startProxy(backend.url, fake)
    const seen = await getJson(`${url}/hop`, {
      connection: 'keep-alive, x-hop',
      'x-hop': 'for the next hop only',
      te: 'trailers',
      'keep-alive': 'timeout=5',
      'proxy-connection': 'keep-alive',
      'proxy-authorization': 'Basic cHJveHk6c2VjcmV0',
      'x-app': 'kept',
    })
    for (const name of ['x-hop', 'te', 'keep-alive', 'proxy-connection', 'proxy-authorization']) {
      expect(seen[name], name).toBeUndefined()
    }
    expect(seen['x-app']).toBe('kept')
  })

  it('/healthz answers only its status by default', async () => {
    const { url } = await startProxy(backend.url, fake)
    const response = await fetch(`${url}/healthz`)
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ status: 'ok' })
  })

  it('/healthz with --health-details adds the counters', async () => {
    const { url } = await startProxy(backend.url, fake, ['--health-details'])
    const response = await fetch(`${url}/healthz`)
    expect(await response.json()).toMatchObject({
      status: 'ok',
      uptimeSeconds: expect.any(Number) as unknown,
      keepAlive: { circuit: 'closed' },
    })
  })

  it('strips CDN caching headers from a backend response that gets our session cookie', async () => {
    const cacheable = await listen(
      createServer((_req, res) => {
        res.setHeader('cache-control', 'public, max-age=600')
        res.setHeader('cdn-cache-control', 'max-age=600')
        res.setHeader('surrogate-control', 'max-age=600')
        res.end('page')
      }),
    )
    try {
      const { url } = await startProxy(cacheable.url, fake)
      const { sessionToken, refreshToken } = fake.login('usr-5', { sessionLifetimeSeconds: 30 })
      const response = await fetch(url, {
        headers: {
          cookie: cookies({ cbo_session_token: sessionToken, cbo_refresh_token: refreshToken }),
        },
      })
      expect(response.headers.getSetCookie().join()).toMatch(/cbo_session_token=/)
      expect(response.headers.get('cache-control')).toBe('private, no-store')
      expect(response.headers.get('cdn-cache-control')).toBeNull()
      expect(response.headers.get('surrogate-control')).toBeNull()
    } finally {
      await cacheable.close()
    }
  })

  it('answers 400 to a request with both Transfer-Encoding and Content-Length (smuggling)', async () => {
    const { url } = await startProxy(backend.url, fake)
    const { hostname, port } = new URL(url)
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), hostname, () => {
        socket.write(
          'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n' +
            '0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n',
        )
      })
      let received = ''
      socket.setEncoding('utf8')
      socket.on('data', (chunk: string) => {
        received += chunk
      })
      socket.on('end', () => {
        resolve(received)
      })
      socket.on('error', reject)
    })
    expect(answer).toMatch(/^HTTP\/1\.1 400 /)
    expect(answer).not.toContain('smuggled')
  })
})
