import { createServer } from 'node:http'
import type { IncomingMessage, ServerResponse } from 'node:http'
import express from 'express'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { corbadoGateway } from '../../src/gateway.js'
import type { GatewayOptions } from '../../src/gateway.js'
import { listen } from '../helpers/http.js'
import type { RunningServer } from '../helpers/http.js'

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
})
