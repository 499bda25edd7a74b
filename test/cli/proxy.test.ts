import { createServer } from 'node:http'
import type { IncomingMessage } from 'node:http'
import { connect } from 'node:net'
import type { Duplex } from 'node:stream'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startFakeCorbado } from '../../src/testing/index.js'
import type { FakeCorbado } from '../../src/testing/index.js'
import { digestBody, digestOf } from '../helpers/body-digest.js'
import { claimsOf, cookies, listen, setCookieOf, valueOf } from '../helpers/http.js'
import type { RunningServer } from '../helpers/http.js'
import { requireBuiltDist } from '../helpers/dist.js'
import { leaveLongPoll, startHangingUpstream } from '../helpers/long-poll.js'
import { killAll, proxyArgs, runCli } from './spawn.js'
import type { CliRun } from './spawn.js'

const BIG = 5 * 1024 * 1024

/** What the backend answers to every request but `/download` and `/slow`. */
interface Echo {
  method: string
  url: string
  cookie: string | null
  forwardedFor: string | null
  size: number
  sha256: string
}

/** A backend in no particular language: echoes requests, sets its own cookies, speaks WebSocket. */
async function startBackend(): Promise<RunningServer & { upgrades: IncomingMessage[] }> {
  const upgrades: IncomingMessage[] = []
  const server = createServer((req, res) => {
    if (req.url === '/download') {
      res.writeHead(200, { 'content-type': 'application/octet-stream' })
      res.end(Buffer.alloc(BIG, 3))
      return
    }
    if (req.url === '/slow') {
      setTimeout(() => res.end('slow done'), 500)
      return
    }
    if (req.url === '/hang') return
    void digestBody(req).then((digest) => {
      const echo: Echo = {
        method: req.method ?? '',
        url: req.url ?? '',
        cookie: req.headers.cookie ?? null,
        forwardedFor: (req.headers['x-forwarded-for'] as string | undefined) ?? null,
        ...digest,
      }
      res.setHeader('set-cookie', ['backend=1; Path=/', 'other=2; HttpOnly'])
      res.setHeader('content-type', 'application/json')
      res.end(JSON.stringify(echo))
    })
  })
  server.on('upgrade', (req: IncomingMessage, socket: Duplex) => {
    upgrades.push(req)
    socket.write(
      'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n',
    )
    socket.on('data', (chunk: Buffer) => socket.write(Buffer.concat([Buffer.from('echo:'), chunk])))
    // An http.Server's sockets are half-open: without this, one stays open after the peer ends it.
    socket.on('end', () => socket.destroy())
    socket.on('error', () => socket.destroy())
  })
  return Object.assign(await listen(server), { upgrades })
}

/** Open a raw WebSocket-style upgrade, send `message`, and return what comes back after the 101. */
function upgradeAndEcho(url: string, cookie: string, message: string): Promise<string> {
  const { hostname, port } = new URL(url)
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname)
    let received = ''
    let upgraded = false
    socket.setTimeout(10_000, () => socket.destroy(new Error('upgrade timed out')))
    socket.on('error', reject)
    socket.on('connect', () => {
      socket.write(
        `GET /ws HTTP/1.1\r\nHost: ${hostname}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
          `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n` +
          `Cookie: ${cookie}\r\n\r\n`,
      )
    })
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('utf8')
      if (!upgraded && received.includes('\r\n\r\n')) {
        if (!received.startsWith('HTTP/1.1 101')) {
          reject(new Error(`no upgrade: ${received.split('\r\n')[0] ?? ''}`))
          return
        }
        upgraded = true
        received = received.slice(received.indexOf('\r\n\r\n') + 4)
        socket.write(message)
      }
      if (upgraded && received.length > 0 && received.includes(message)) {
        socket.destroy()
        resolve(received)
      }
    })
  })
}

/** A port nothing listens on. */
async function closedPortUrl(): Promise<string> {
  const server = await listen(createServer())
  await server.close()
  return server.url
}

beforeAll(() => {
  requireBuiltDist()
})
afterEach(async () => {
  await killAll()
})

describe('corbado-keepalive (the command line)', () => {
  it('--help prints the usage, run through the shebang as a bin', async () => {
    const cli = runCli(['proxy', '--help'], {}, true)
    expect(await cli.exited).toBe(0)
    expect(cli.stdout()).toMatch(/^Usage: corbado-keepalive proxy --target <url> --project-id <id>/)
    for (const text of [
      '--gateway-path',
      'CORBADO_KEEPALIVE_TARGET',
      'CORBADO_PROJECT_ID',
      'PORT',
    ]) {
      expect(cli.stdout()).toContain(text)
    }
    expect(cli.stderr()).toBe('')
  })

  it('a bad flag prints a clear error and exits 2', async () => {
    const cli = runCli(['proxy', '--tagret', 'http://127.0.0.1:1', '--project-id', 'pro-1'])
    expect(await cli.exited).toBe(2)
    expect(cli.stderr()).toBe(
      'corbado-keepalive: "--tagret" is not an option. Did you mean "--target"?\n' +
        'Run "corbado-keepalive proxy --help" for usage.\n',
    )
    expect(cli.stdout()).toBe('')
  })

  it.each([
    [
      ['proxy', '--project-id', 'pro-1'],
      /"--target" is required \(or set CORBADO_KEEPALIVE_TARGET\)/,
    ],
    [
      ['proxy', '--target', 'http://127.0.0.1:1', '--project-id', 'p-1'],
      /"--project-id" \(CORBADO_PROJECT_ID\) must be/,
    ],
    [
      ['proxy', '--target', 'ftp://x', '--project-id', 'pro-1'],
      /"--target" must be an http\(s\) URL/,
    ],
    [
      ['proxy', '--target', 'http://x', '--project-id', 'pro-1', '--port', 'eighty'],
      /"--port" \(PORT\) must be an integer from 0 to 65535, got "eighty"/,
    ],
    [['proxy', '--target'], /"--target" needs a value/],
    [['serve'], /unknown command "serve"/],
    [[], /a command is required/],
  ])('%j exits 2: %s', async (args, message) => {
    const cli = runCli(args)
    expect(await cli.exited).toBe(2)
    expect(cli.stderr()).toMatch(message)
  })
})

describe('corbado-keepalive proxy', () => {
  let fake: FakeCorbado
  let backend: Awaited<ReturnType<typeof startBackend>>
  let proxy: CliRun
  let url: string

  beforeAll(async () => {
    fake = await startFakeCorbado()
    backend = await startBackend()
  })
  afterAll(async () => {
    await backend.close()
    await fake.close()
  })
  beforeEach(async () => {
    fake.setFault(undefined)
    fake.resetCalls()
    backend.upgrades.length = 0
    proxy = runCli(
      proxyArgs(
        backend.url,
        fake,
        '--gateway-path',
        '/.corbado',
        '--gateway-public-url',
        'https://app.example.com/.corbado',
      ),
    )
    url = (await proxy.logLine('corbado-keepalive: proxy listening')).url as string
  })

  it('--gateway-public-url becomes the frontendApiUrl of the Frontend API answers', async () => {
    const response = await fetch(`${url}/.corbado/v2/session-config`, {
      headers: { 'x-corbado-projectid': fake.projectId },
    })
    expect(response.status).toBe(200)
    expect(((await response.json()) as { frontendApiUrl: string }).frontendApiUrl).toBe(
      'https://app.example.com/.corbado',
    )
  })

  it('refreshes a session near expiry: the backend gets the new token, the client both cookies', async () => {
    const { sessionToken, refreshToken } = fake.login('usr-1', { sessionLifetimeSeconds: 30 })
    const response = await fetch(`${url}/some/path?x=1&y=a%20b`, {
      headers: {
        cookie: cookies({
          theme: 'dark',
          cbo_session_token: sessionToken,
          cbo_refresh_token: refreshToken,
        }),
      },
    })
    expect(response.status).toBe(200)
    const echo = (await response.json()) as Echo
    expect(echo.url).toBe('/some/path?x=1&y=a%20b')
    const written = valueOf(setCookieOf(response, 'cbo_session_token'))
    expect(written).toBeDefined()
    expect(written).not.toBe(sessionToken)
    expect(claimsOf(written!).sub).toBe('usr-1')
    expect(echo.cookie).toBe(
      `theme=dark; cbo_session_token=${written!}; cbo_refresh_token=${refreshToken}`,
    )
    expect(echo.forwardedFor).toBe('127.0.0.1')
    expect(response.headers.getSetCookie().map((c) => c.split('=')[0])).toEqual([
      'backend',
      'other',
      'cbo_session_token',
    ])
    expect(response.headers.get('cache-control')).toBe('private, no-store')
    expect(response.headers.get('vary')).toMatch(/Cookie/)
    expect(fake.refreshCount).toBe(1)
  })

  it('leaves a fresh session and everything else untouched', async () => {
    const { sessionToken } = fake.login('usr-2')
    const header = cookies({ a: '1', cbo_session_token: sessionToken })
    const response = await fetch(`${url}/p`, { method: 'DELETE', headers: { cookie: header } })
    const echo = (await response.json()) as Echo
    expect(echo).toMatchObject({ method: 'DELETE', url: '/p', cookie: header })
    expect(response.headers.getSetCookie()).toEqual(['backend=1; Path=/', 'other=2; HttpOnly'])
    expect(fake.refreshCount).toBe(0)
  })

  it('streams 5 MB through in both directions', async () => {
    const body = Buffer.alloc(BIG, 9)
    const upload = await fetch(`${url}/upload`, { method: 'POST', body })
    expect(await upload.json()).toMatchObject(digestOf(body))

    const download = await fetch(`${url}/download`)
    const received = Buffer.from(await download.arrayBuffer())
    expect(digestOf(received)).toEqual(digestOf(Buffer.alloc(BIG, 3)))
  })

  it('serves the gateway at --gateway-path, and the refresh cookie it sets is first-party', async () => {
    const response = await fetch(`${url}/.corbado/__fake/login?via=gateway`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: 'app=secret' },
      body: JSON.stringify({ userId: 'usr-3' }),
    })
    expect(response.status).toBe(200)
    const setCookie = setCookieOf(response, 'cbo_refresh_token')
    expect(setCookie).toMatch(/; Path=\//)
    expect(setCookie).not.toMatch(/domain=/i)
    const call = fake.calls.at(-1)
    expect(call).toMatchObject({ method: 'POST', path: '/__fake/login?via=gateway' })
    expect(call?.headers.cookie).toBeUndefined()

    // With only that cookie, the next request through the proxy gets a session.
    const next = await fetch(`${url}/after-login`, {
      headers: { cookie: cookies({ cbo_refresh_token: valueOf(setCookie) }) },
    })
    expect(((await next.json()) as Echo).cookie).toMatch(/cbo_session_token=/)
    expect(setCookieOf(next, 'cbo_session_token')).toBeDefined()
  })

  it('answers /healthz itself', async () => {
    const response = await fetch(`${url}/healthz`)
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ status: 'ok' })
  })

  it('proxies WebSocket upgrades with the refreshed token', async () => {
    const { sessionToken, refreshToken } = fake.login('usr-4', { sessionLifetimeSeconds: 30 })
    const echoed = await upgradeAndEcho(
      url,
      cookies({ cbo_session_token: sessionToken, cbo_refresh_token: refreshToken }),
      'ping',
    )
    expect(echoed).toBe('echo:ping')
    expect(backend.upgrades).toHaveLength(1)
    const seen = /cbo_session_token=([^;]+)/.exec(backend.upgrades[0]?.headers.cookie ?? '')?.[1]
    expect(seen).toBeDefined()
    expect(seen).not.toBe(sessionToken)
    expect(claimsOf(seen!).sub).toBe('usr-4')
  })

  it('lets an in-flight request finish on SIGTERM, then exits 0', async () => {
    const slow = fetch(`${url}/slow`)
    await new Promise((resolve) => setTimeout(resolve, 100))
    proxy.child.kill('SIGTERM')
    const response = await slow
    expect(await response.text()).toBe('slow done')
    expect(await proxy.exited).toBe(0)
    await proxy.logLine('corbado-keepalive: stopped')
  })

  it('stops on SIGINT too, exiting 0', async () => {
    proxy.child.kill('SIGINT')
    expect(await proxy.exited).toBe(0)
  })
})

describe('corbado-keepalive proxy with a failing backend', () => {
  let fake: FakeCorbado

  beforeAll(async () => {
    fake = await startFakeCorbado()
  })
  afterAll(async () => {
    await fake.close()
  })

  it('answers 502 as JSON when the backend is down, and keeps running', async () => {
    // Every setting from the environment this time.
    const proxy = runCli(['proxy'], {
      CORBADO_KEEPALIVE_TARGET: await closedPortUrl(),
      CORBADO_PROJECT_ID: fake.projectId,
      CORBADO_FRONTEND_API_URL: fake.url,
      PORT: '0',
      CORBADO_KEEPALIVE_HOST: '127.0.0.1',
    })
    const { url } = (await proxy.logLine('corbado-keepalive: proxy listening')) as { url: string }
    const { sessionToken, refreshToken } = fake.login('usr-5', { sessionLifetimeSeconds: 30 })
    const response = await fetch(`${url}/anything`, {
      headers: {
        cookie: cookies({ cbo_session_token: sessionToken, cbo_refresh_token: refreshToken }),
      },
    })
    expect(response.status).toBe(502)
    expect(await response.json()).toMatchObject({
      httpStatusCode: 502,
      error: { type: 'bad_gateway' },
    })
    // The refresh the request made is not lost.
    expect(setCookieOf(response, 'cbo_session_token')).toBeDefined()
    expect((await fetch(`${url}/healthz`)).status).toBe(200)
    const warning = proxy.stderr()
    expect(warning).toContain('"code":"ECONNREFUSED"')
    expect(warning).not.toContain(refreshToken)
    expect(warning).not.toContain(sessionToken)
  })

  it('answers 504 as JSON when the backend stays silent past --timeout-ms', async () => {
    const backend = await startBackend()
    try {
      const proxy = runCli(proxyArgs(backend.url, fake, '--timeout-ms', '300'))
      const { url } = (await proxy.logLine('corbado-keepalive: proxy listening')) as { url: string }
      const response = await fetch(`${url}/hang`)
      expect(response.status).toBe(504)
      expect(await response.json()).toMatchObject({ error: { type: 'gateway_timeout' } })
    } finally {
      await backend.close()
    }
  })

  it('closes the backend request as soon as the client leaves a long poll', async () => {
    const backend = await startHangingUpstream()
    try {
      const proxy = runCli(proxyArgs(backend.url, fake, '--timeout-ms', '10000'))
      const { url } = (await proxy.logLine('corbado-keepalive: proxy listening')) as { url: string }
      expect(await leaveLongPoll(`${url}/poll`, backend)).toBeLessThan(2000)
      expect(proxy.stderr()).not.toContain('upstream request failed')
    } finally {
      await backend.close()
    }
  })

  it('exits 1 with a message when the port is taken', async () => {
    const taken = await listen(createServer())
    try {
      const proxy = runCli([
        'proxy',
        '--target',
        'http://127.0.0.1:1',
        '--project-id',
        fake.projectId,
        '--host',
        '127.0.0.1',
        '--port',
        new URL(taken.url).port,
      ])
      expect(await proxy.exited).toBe(1)
      expect(proxy.stderr()).toContain('EADDRINUSE')
    } finally {
      await taken.close()
    }
  })
})
