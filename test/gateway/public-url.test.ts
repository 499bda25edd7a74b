/**
 * The gateway's `publicUrl`: the `frontendApiUrl` of the Frontend API's JSON answers becomes the
 * gateway's public URL (which is what sends Corbado's browser SDK through it), with a right
 * Content-Length and encoding, and nothing else changes.
 */
import { createServer } from 'node:http'
import type { IncomingHttpHeaders } from 'node:http'
import { brotliCompressSync, gzipSync } from 'node:zlib'
import express from 'express'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { corbadoGateway } from '../../src/gateway.js'
import type { GatewayOptions } from '../../src/gateway.js'
import { rewriteFrontendApiUrl } from '../../src/gateway/frontend-api-url.js'
import { InvalidOptionError } from '../../src/index.js'
import { startFakeCorbado } from '../../src/testing/index.js'
import type { FakeCorbado } from '../../src/testing/index.js'
import { listen } from '../helpers/http.js'
import type { RunningServer } from '../helpers/http.js'

const PUBLIC_URL = 'https://app.example.com/.corbado'
const running: RunningServer[] = []

afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.close()))
})

async function gatewayApp(options: GatewayOptions): Promise<RunningServer> {
  const app = express()
  app.use('/.corbado', corbadoGateway(options))
  const server = await listen(createServer(app))
  running.push(server)
  return server
}

/** An upstream that answers `body` with `headers` and records what it was asked. */
async function upstream(
  body: Buffer | string,
  headers: Record<string, string>,
): Promise<RunningServer & { seen: IncomingHttpHeaders[] }> {
  const seen: IncomingHttpHeaders[] = []
  const server = await listen(
    createServer((req, res) => {
      seen.push(req.headers)
      res.writeHead(200, headers)
      res.end(body)
    }),
  )
  running.push(server)
  return { ...server, seen }
}

/** What the browser receives, with the Content-Length the gateway declared. */
async function get(url: string, headers: Record<string, string> = {}) {
  const response = await fetch(url, { headers })
  const bytes = Buffer.from(await response.arrayBuffer())
  return { response, bytes, text: bytes.toString('utf8') }
}

describe('publicUrl against the fake Frontend API', () => {
  let fake: FakeCorbado
  beforeAll(async () => {
    fake = await startFakeCorbado({ cookieDomain: 'app.example.com' })
  })
  afterAll(async () => {
    await fake.close()
  })
  const headers = () => ({ 'x-corbado-projectid': fake.projectId })

  it('rewrites frontendApiUrl of session-config and process-config, and nothing else', async () => {
    const app = await gatewayApp({
      projectId: fake.projectId,
      frontendApiUrl: fake.url,
      publicUrl: `${PUBLIC_URL}/`,
    })
    for (const path of ['/v2/session-config', '/v2/process-config']) {
      const direct = (await (
        await fetch(fake.url + path, { headers: headers() })
      ).json()) as Record<string, unknown>
      expect(direct.frontendApiUrl).toBe(fake.url)
      const { response, bytes, text } = await get(`${app.url}/.corbado${path}`, headers())
      expect(response.status).toBe(200)
      expect(response.headers.get('content-length')).toBe(String(bytes.length))
      expect(JSON.parse(text)).toEqual({ ...direct, frontendApiUrl: PUBLIC_URL })
    }
  })

  it('passes answers without frontendApiUrl and non-JSON answers byte for byte', async () => {
    const app = await gatewayApp({
      projectId: fake.projectId,
      frontendApiUrl: fake.url,
      publicUrl: PUBLIC_URL,
    })
    const jwks = await get(`${app.url}/.corbado/.well-known/jwks`)
    const direct = Buffer.from(await (await fetch(`${fake.url}/.well-known/jwks`)).arrayBuffer())
    expect(jwks.bytes.equals(direct)).toBe(true)
    fake.setFault({ type: 'non-json', route: 'session-config', times: 1 })
    const html = await get(`${app.url}/.corbado/v2/session-config`, headers())
    expect(html.text).toBe('<html>oops</html>')
    expect(html.response.headers.get('content-type')).toMatch(/^text\/html/)
  })

  it('without publicUrl warns once at start-up and leaves answers as they are', async () => {
    const warnings: unknown[][] = []
    const logger = {
      warn: (...args: unknown[]) => warnings.push(args),
      debug: () => undefined,
      info: () => undefined,
      error: () => undefined,
    }
    const app = await gatewayApp({ projectId: fake.projectId, frontendApiUrl: fake.url, logger })
    expect(warnings).toHaveLength(1)
    expect(String(warnings[0]?.[1])).toMatch(/no "publicUrl".*bypassing the gateway/)
    const { text } = await get(`${app.url}/.corbado/v2/session-config`, headers())
    expect((JSON.parse(text) as { frontendApiUrl: string }).frontendApiUrl).toBe(fake.url)
    expect(warnings).toHaveLength(1)
  })
})

describe('publicUrl and the upstream encoding', () => {
  const config = JSON.stringify({ useServerSideProcessId: false, frontendApiUrl: 'https://x.test' })

  it('asks upstream for identity, and decodes gzip and br when it answers encoded anyway', async () => {
    for (const [encoding, encoded] of [
      ['gzip', gzipSync(config)],
      ['br', brotliCompressSync(config)],
    ] as const) {
      const api = await upstream(encoded, {
        'content-type': 'application/json',
        'content-encoding': encoding,
        'content-length': String(encoded.length),
      })
      const app = await gatewayApp({
        projectId: 'pro-1',
        frontendApiUrl: api.url,
        publicUrl: PUBLIC_URL,
      })
      const response = await fetch(`${app.url}/.corbado/v2/process-config`, {
        headers: { 'accept-encoding': 'gzip, br' },
      })
      expect(api.seen[0]?.['accept-encoding']).toBe('identity')
      expect(response.headers.get('content-encoding')).toBeNull()
      const bytes = Buffer.from(await response.arrayBuffer())
      expect(response.headers.get('content-length')).toBe(String(bytes.length))
      expect(JSON.parse(bytes.toString('utf8'))).toEqual({
        useServerSideProcessId: false,
        frontendApiUrl: PUBLIC_URL,
      })
    }
  })

  it('sends a chunked answer whole, with its Content-Length', async () => {
    const seen: IncomingHttpHeaders[] = []
    const api = await listen(
      createServer((req, res) => {
        seen.push(req.headers)
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' })
        res.write('{"useServerSideProcessId":false,')
        setTimeout(() => res.end('"frontendApiUrl":"https://x.test"}'), 20)
      }),
    )
    running.push(api)
    const app = await gatewayApp({
      projectId: 'pro-1',
      frontendApiUrl: api.url,
      publicUrl: PUBLIC_URL,
    })
    const { request } = await import('node:http')
    const raw = await new Promise<{ headers: IncomingHttpHeaders; body: string }>((resolve) => {
      request(`${app.url}/.corbado/v2/process-config`, (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('end', () => {
          resolve({ headers: res.headers, body: Buffer.concat(chunks).toString('utf8') })
        })
      }).end()
    })
    expect(raw.headers['transfer-encoding']).toBeUndefined()
    expect(raw.headers['content-length']).toBe(String(Buffer.byteLength(raw.body)))
    expect(JSON.parse(raw.body)).toEqual({
      useServerSideProcessId: false,
      frontendApiUrl: PUBLIC_URL,
    })
  })

  it('leaves HEAD answers alone', async () => {
    const api = await upstream('', { 'content-type': 'application/json', 'content-length': '61' })
    const app = await gatewayApp({
      projectId: 'pro-1',
      frontendApiUrl: api.url,
      publicUrl: PUBLIC_URL,
    })
    const response = await fetch(`${app.url}/.corbado/v2/process-config`, { method: 'HEAD' })
    expect(response.headers.get('content-length')).toBe('61')
  })

  it('keeps an encoding it cannot read as it is', async () => {
    const api = await upstream('opaque', {
      'content-type': 'application/json',
      'content-encoding': 'zstd',
    })
    const app = await gatewayApp({
      projectId: 'pro-1',
      frontendApiUrl: api.url,
      publicUrl: PUBLIC_URL,
    })
    const { request } = await import('node:http')
    const raw = await new Promise<{ headers: IncomingHttpHeaders; body: string }>((resolve) => {
      request(`${app.url}/.corbado/v2/process-config`, (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('end', () => {
          resolve({ headers: res.headers, body: Buffer.concat(chunks).toString('utf8') })
        })
      }).end()
    })
    expect(raw.headers['content-encoding']).toBe('zstd')
    expect(raw.body).toBe('opaque')
  })
})

describe('rewriteFrontendApiUrl', () => {
  it("rewrites the login flow's common.frontendApiUrl, also inside processResponse", () => {
    const flow = { blockBody: { block: 'x' }, common: { appName: 'a', frontendApiUrl: 'u' } }
    expect(JSON.parse(rewriteFrontendApiUrl(JSON.stringify(flow), PUBLIC_URL)!)).toEqual({
      ...flow,
      common: { appName: 'a', frontendApiUrl: PUBLIC_URL },
    })
    const init = { token: 't', processResponse: flow }
    expect(JSON.parse(rewriteFrontendApiUrl(JSON.stringify(init), PUBLIC_URL)!)).toEqual({
      token: 't',
      processResponse: { ...flow, common: { appName: 'a', frontendApiUrl: PUBLIC_URL } },
    })
  })

  it('keeps every other byte, big numbers and nested look-alikes included', () => {
    const body = '{ "id": 12345678901234567890, "frontendApiUrl" : "https://a\\"b", "x": 1.0 }'
    expect(rewriteFrontendApiUrl(body, PUBLIC_URL)).toBe(
      `{ "id": 12345678901234567890, "frontendApiUrl" : "${PUBLIC_URL}", "x": 1.0 }`,
    )
    const nested = '{"frontendApiUrl":"a","data":{"frontendApiUrl":"keep"}}'
    expect(JSON.parse(rewriteFrontendApiUrl(nested, PUBLIC_URL)!)).toEqual({
      frontendApiUrl: PUBLIC_URL,
      data: { frontendApiUrl: 'keep' },
    })
  })

  it('leaves non-JSON, arrays and answers without the field alone', () => {
    for (const body of ['<html>', '', '[{"frontendApiUrl":"a"}]', '{"frontendApiUrl":1}', '{}']) {
      expect(rewriteFrontendApiUrl(body, PUBLIC_URL)).toBeUndefined()
    }
  })
})

describe('publicUrl validation', () => {
  it.each([
    'app.example.com/.corbado',
    '/.corbado',
    'ftp://app.example.com',
    'https://app.example.com/.corbado?x=1',
    'https://app.example.com/#x',
    '',
    42,
  ])('rejects %j, naming the option and showing the value', (publicUrl) => {
    let error: unknown
    try {
      corbadoGateway({ projectId: 'pro-1', publicUrl } as unknown as GatewayOptions)
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(InvalidOptionError)
    expect((error as InvalidOptionError).option).toBe('publicUrl')
    expect((error as Error).message).toContain(JSON.stringify(publicUrl))
  })
})

describe('publicUrl with credentials', () => {
  it('is rejected without showing the credentials', () => {
    let error: unknown
    try {
      corbadoGateway({ projectId: 'pro-1', publicUrl: 'https://user:pw@app.example.com' })
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(InvalidOptionError)
    expect((error as InvalidOptionError).option).toBe('publicUrl')
    expect((error as InvalidOptionError).received).toBeUndefined()
    expect((error as Error).message).not.toContain('pw')
  })
})
