import { createServer } from 'node:http'
import express from 'express'
import fastify from 'fastify'
import Koa from 'koa'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { corbadoKeepAlive as expressKeepAlive } from '../../src/express.js'
import { corbadoKeepAlive as fastifyKeepAlive } from '../../src/fastify.js'
import { corbadoKeepAlive as koaKeepAlive } from '../../src/koa.js'
import type { KeepAliveOptions, KeepAliveStats } from '../../src/index.js'
import { startFakeCorbado } from '../../src/testing/index.js'
import type { FakeCorbado } from '../../src/testing/index.js'
import { listen } from '../helpers/http.js'
import type { RunningServer } from '../helpers/http.js'

type Started = RunningServer & { stats(): KeepAliveStats }

// Each framework's own trust-proxy setting decides the address the rate limit counts.
const APPS: Record<string, (options: KeepAliveOptions) => Promise<Started>> = {
  async 'Express (trust proxy)'(options) {
    const app = express()
    app.set('trust proxy', true)
    const middleware = expressKeepAlive(options)
    app.use(middleware)
    app.get('/', (_req, res) => res.send('ok'))
    return { ...(await listen(createServer(app))), stats: () => middleware.stats() }
  },
  async 'Koa (app.proxy)'(options) {
    const app = new Koa()
    app.proxy = true
    const middleware = koaKeepAlive(options)
    app.use(middleware)
    app.use((ctx) => {
      ctx.body = 'ok'
    })
    const handle = app.callback()
    const server = createServer((req, res) => void handle(req, res))
    return { ...(await listen(server)), stats: () => middleware.stats() }
  },
  async 'Fastify (trustProxy)'(options) {
    const app = fastify({ trustProxy: true })
    await app.register(fastifyKeepAlive, options)
    app.get('/', () => 'ok')
    const url = await app.listen({ port: 0, host: '127.0.0.1' })
    const close = async () => {
      app.server.closeAllConnections()
      await app.close()
    }
    return { url, close, stats: () => app.corbadoKeepAlive.stats() }
  },
}

describe.each(Object.entries(APPS))('%s: the client address', (_, start) => {
  let fake: FakeCorbado
  beforeAll(async () => {
    fake = await startFakeCorbado()
  })
  afterAll(async () => {
    await fake.close()
  })

  it('counts the forwarded client, not the proxy, in the refresh rate limit', async () => {
    const app = await start({
      projectId: fake.projectId,
      frontendApiUrl: fake.url,
      refreshRateLimit: { perClientPerMinute: 1, unprovenPerSecond: 1000 },
    })
    const from = (client: string, token: string) =>
      fetch(app.url, {
        headers: { 'x-forwarded-for': client, cookie: `cbo_refresh_token=${token}` },
      })
    try {
      await from('198.51.100.1', 'made-up-1')
      await from('198.51.100.2', 'made-up-2')
      expect(app.stats().failures.throttled).toBe(0)
      await from('198.51.100.1', 'made-up-3')
      expect(app.stats().failures.throttled).toBe(1)
      expect(fake.refreshCount).toBe(2)
    } finally {
      await app.close()
    }
  })
})
