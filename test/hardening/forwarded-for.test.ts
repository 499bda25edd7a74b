/**
 * `X-Forwarded-For` counts for the refresh rate limit only where the app trusts the proxy in
 * front (Express's `trust proxy`, Koa's `app.proxy`, the CLI's `--trust-proxy`); when it arrives
 * while trust is off, one warning, without values. Against the fake Frontend API over HTTP.
 */
import { createServer } from 'node:http'
import express from 'express'
import type { Request, Response as ExpressResponse } from 'express'
import Koa from 'koa'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { corbadoKeepAlive as expressKeepAlive } from '../../src/express.js'
import { corbadoKeepAlive as koaKeepAlive } from '../../src/koa.js'
import { UNTRUSTED_FORWARDED_FOR_WARNING } from '../../src/core/forwarded-for.js'
import { startFakeCorbado } from '../../src/testing/index.js'
import type { FakeCorbado } from '../../src/testing/index.js'
import { killAll, proxyArgs, runCli } from '../cli/spawn.js'
import { requireBuiltDist } from '../helpers/dist.js'
import { serverOf } from '../helpers/frameworks/koa.js'
import { listen } from '../helpers/http.js'
import type { RunningServer } from '../helpers/http.js'

const PER_CLIENT = 3
const SENT = 10

let fake: FakeCorbado
let app: RunningServer | undefined
beforeAll(async () => {
  fake = await startFakeCorbado()
})
afterAll(async () => {
  await fake.close()
})
beforeEach(() => {
  fake.resetCalls()
})
afterEach(async () => {
  await app?.close()
  app = undefined
  await killAll()
})

interface Logged {
  context: Record<string, unknown>
  message: string
}

function recordingLogger() {
  const warnings: Logged[] = []
  const record = (context: Record<string, unknown>, message: string) =>
    warnings.push({ context, message })
  return { warnings, logger: { warn: record, error: record } }
}

/** `SENT` made-up refresh-tokens one after another, each from another forwarded address. */
async function sendMadeUp(url: string): Promise<void> {
  for (let i = 0; i < SENT; i++) {
    const response = await fetch(url, {
      headers: {
        cookie: `cbo_refresh_token=made-up-${String(i)}-${String(Date.now())}`,
        'x-forwarded-for': `198.51.100.${String(i + 1)}`,
      },
    })
    await response.arrayBuffer()
  }
}

type Start = (
  trustProxy: boolean,
  logger: ReturnType<typeof recordingLogger>['logger'],
) => Promise<RunningServer>

const startExpress: Start = async (trustProxy, logger) => {
  const server = express()
  server.set('trust proxy', trustProxy)
  server.use(
    expressKeepAlive<Request>({
      projectId: fake.projectId,
      frontendApiUrl: fake.url,
      refreshRateLimit: { perClientPerMinute: PER_CLIENT },
      logger,
    }),
  )
  server.get('/', (_req: Request, res: ExpressResponse) => {
    res.send('ok')
  })
  return listen(createServer(server))
}

const startKoa: Start = async (trustProxy, logger) => {
  const server = new Koa()
  server.proxy = trustProxy
  server.use(
    koaKeepAlive({
      projectId: fake.projectId,
      frontendApiUrl: fake.url,
      refreshRateLimit: { perClientPerMinute: PER_CLIENT },
      logger,
    }),
  )
  server.use((ctx) => {
    ctx.body = 'ok'
  })
  return listen(serverOf(server))
}

describe.each([
  ['Express', startExpress],
  ['Koa', startKoa],
] as const)('%s: X-Forwarded-For and the refresh rate limit', (_, start) => {
  it('trust proxy off: every forwarded client counts as the proxy, and one warning without values', async () => {
    const { warnings, logger } = recordingLogger()
    app = await start(false, logger)
    await sendMadeUp(app.url)
    expect(fake.refreshCount).toBe(PER_CLIENT)
    const forwardedWarnings = warnings.filter((w) => w.message === UNTRUSTED_FORWARDED_FOR_WARNING)
    expect(forwardedWarnings).toHaveLength(1)
    expect(JSON.stringify(forwardedWarnings)).not.toMatch(/198\.51\.100|made-up/)
  })

  it('trust proxy on: each forwarded client has its own budget, and no warning', async () => {
    const { warnings, logger } = recordingLogger()
    app = await start(true, logger)
    await sendMadeUp(app.url)
    expect(fake.refreshCount).toBe(SENT)
    expect(warnings.filter((w) => w.message === UNTRUSTED_FORWARDED_FOR_WARNING)).toEqual([])
  })
})

describe('corbado-keepalive proxy: X-Forwarded-For and the refresh rate limit', () => {
  async function startProxy(extra: string[]) {
    requireBuiltDist()
    const backend = await listen(createServer((_req, res) => res.end('ok')))
    app = backend
    const proxy = runCli(proxyArgs(backend.url, fake, ...extra))
    const url = (await proxy.logLine('corbado-keepalive: proxy listening')).url as string
    return { proxy, url }
  }

  /** Made-up tokens from 40 forwarded addresses: more than the default per-client budget (30). */
  async function spray(url: string): Promise<void> {
    await Promise.all(
      Array.from({ length: 40 }, async (_, i) => {
        const response = await fetch(url, {
          headers: {
            cookie: `cbo_refresh_token=made-up-${String(i)}-${String(Date.now())}`,
            'x-forwarded-for': `203.0.113.77, 198.51.100.${String(i + 1)}`,
          },
        })
        await response.arrayBuffer()
      }),
    )
  }

  it('by default: the socket address counts, and one warning without values', async () => {
    const { proxy, url } = await startProxy([])
    await spray(url)
    expect(fake.refreshCount).toBe(30)
    const lines = (proxy.stdout() + proxy.stderr())
      .split('\n')
      .filter((line) => line.includes('X-Forwarded-For'))
    expect(lines).toHaveLength(1)
    expect(lines[0]).not.toMatch(/198\.51\.100|203\.0\.113|made-up/)
  }, 60_000)

  it('with --trust-proxy: the last X-Forwarded-For entry counts, and no warning', async () => {
    const { proxy, url } = await startProxy(['--trust-proxy'])
    await spray(url)
    expect(fake.refreshCount).toBe(40)
    expect(proxy.stdout() + proxy.stderr()).not.toContain('X-Forwarded-For')
  }, 60_000)
})
