/**
 * The keep-alive's own time inside a loaded server, timed around the middleware call itself
 * (`process.hrtime`), so it is free of the noise that CPU time per request carries on a shared
 * machine. The variants run in blocks of consecutive requests on the same server, the blocks in
 * rotation: within a block a variant runs on every request, as a middleware does in a real server,
 * and the rotation puts every variant through the same states of caches and compiler. Variants:
 * nothing (the timer alone), a middleware that only calls `next()`, one that only reads the Cookie
 * header, one that only adds a plain property to the request, one that only keeps a
 * session in a `WeakMap` keyed by the request, `keepAlive.handle()` alone,
 * `keepAlive.handle()` timed on a second call for the same request (what it costs with its code and
 * data already in the CPU's caches), the least any keep-alive must do on the hot path (find the
 * cookie, look the token up, compare it whole, check its expiry: the floor under any
 * implementation's figure), the whole keep-alive middleware, and
 * `@corbado/node-sdk`'s `validateToken` (timed until its promise settles). The same rotation runs
 * in Express 5 and in a plain `node:http` server, whose requests Express has not re-prototyped, and
 * a shorter one (the timer, reading the Cookie header, the whole middleware) in Hono on
 * `@hono/node-server`.
 * Prints one JSON line: median and p90 nanoseconds per variant.
 */
import { createServer } from 'node:http'
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Config, SDK } from '@corbado/node-sdk'
import express from 'express'
import { getRequestListener } from '@hono/node-server'
import { Hono } from 'hono'
import type { MiddlewareHandler } from 'hono'
import { createKeepAlive } from '../../src/core/keep-alive.js'
import { corbadoKeepAlive } from '../../src/express.js'
import { corbadoKeepAlive as honoKeepAlive } from '../../src/hono.js'
import { startFakeCorbado } from '../../src/testing/index.js'
import { createFloorLookup } from '../lib/floor.js'
import { median, percentile } from '../lib/stats.js'
import type { HonoVariant, Variant } from './in-situ.js'
import { realisticCookies } from './hot-path.js'

type Next = () => void
type Middleware = (req: IncomingMessage, res: ServerResponse, next: Next) => void

/** Consecutive requests per block, and blocks per variant (the first cycle warms up, unrecorded). */
const BLOCK = 250
const CYCLES = 9

const fake = await startFakeCorbado()
const { sessionToken } = fake.login('usr-100000001', { sessionLifetimeSeconds: 3600 })
const options = { projectId: fake.projectId, frontendApiUrl: fake.url }
const core = createKeepAlive(options)
const sdk = new SDK(new Config(fake.projectId, `corbado1_${'x'.repeat(30)}`, fake.url, fake.url))
const TOKEN = /(?:^|;\s*)cbo_session_token=([^;]*)/
const SESSION = Object.freeze({ userId: 'usr-100000001' })
const SESSIONS = new WeakMap<object, unknown>()
const floorLookup = createFloorLookup()

function variants(): Record<Variant, Middleware> {
  return {
    timer: (_req, _res, next) => {
      next()
    },
    next: (_req, _res, next) => {
      next()
    },
    cookie: (req, _res, next) => {
      if (req.headers.cookie === undefined) throw new Error('no Cookie header')
      next()
    },
    store: (req, _res, next) => {
      // Not `corbadoSession`: once the Express adapter ran, that name is its accessor's.
      ;(req as IncomingMessage & { plainSession?: unknown }).plainSession = SESSION
      next()
    },
    weakMap: (req, _res, next) => {
      SESSIONS.set(req, SESSION)
      next()
    },
    handle: (req, _res, next) => {
      const outcome = core.handle(keepAliveRequest(req))
      if (outcome instanceof Promise) void outcome.then(next)
      else next()
    },
    handleAgain: (req, _res, next) => {
      void core.handle(keepAliveRequest(req))
      restartClock()
      const outcome = core.handle(keepAliveRequest(req))
      if (outcome instanceof Promise) void outcome.then(next)
      else next()
    },
    floor: (req, _res, next) => {
      if (!floorLookup(req.headers.cookie)) throw new Error('floor: no hit')
      next()
    },
    keepAlive: corbadoKeepAlive(options),
    nodeSdk: (req, _res, next) => {
      const token = TOKEN.exec(req.headers.cookie ?? '')?.[1] ?? ''
      void sdk.sessions().validateToken(token).then(next, next)
    },
  }
}

function keepAliveRequest(req: IncomingMessage) {
  return {
    method: req.method ?? 'GET',
    cookieHeader: req.headers.cookie,
    clientAddress: undefined,
    raw: req,
  }
}

/** When the current variant's call started: a variant may restart it to time only its last step. */
let started = 0n
function restartClock(): void {
  started = process.hrtime.bigint()
}

/**
 * The rotation: which variant serves the next request (in blocks of {@link BLOCK}), with the clock
 * restarted, and how to record its time once it calls on (not for the first, warming cycle).
 */
function rotation<V>(variants: Record<string, V>, timings: Map<string, number[]>) {
  const entries = Object.entries(variants)
  for (const [name] of entries) timings.set(name, [])
  let turn = 0
  return () => {
    const block = Math.floor(turn++ / BLOCK)
    const [name, variant] = entries[block % entries.length]!
    const recorded = block >= entries.length
    restartClock()
    const stop = () => {
      const took = Number(process.hrtime.bigint() - started)
      if (recorded) timings.get(name)!.push(took)
    }
    return { variant, stop }
  }
}

/** The timing layer: runs one variant per request, in blocks, and records how long it took. */
function timed(timings: Map<string, number[]>) {
  const next = rotation(variants(), timings)
  return (req: IncomingMessage, res: ServerResponse, proceed: Next) => {
    const { variant, stop } = next()
    variant(req, res, () => {
      stop()
      proceed()
    })
  }
}

/** The same rotation as a Hono middleware, on `@hono/node-server`. */
function timedHono(timings: Map<string, number[]>): MiddlewareHandler {
  const variants: Record<HonoVariant, MiddlewareHandler> = {
    timer: (_c, next) => next(),
    cookie: (c, next) => {
      if (c.req.header('cookie') === undefined) throw new Error('no Cookie header')
      return next()
    },
    keepAlive: honoKeepAlive(options) as MiddlewareHandler,
  }
  const next = rotation(variants, timings)
  return async (c, proceed) => {
    const { variant, stop } = next()
    await variant(c, async () => {
      stop()
      await proceed()
    })
  }
}

async function measure(listener: (timings: Map<string, number[]>) => RequestListener) {
  const timings = new Map<string, number[]>()
  const server = createServer(listener(timings))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
  const headers = { cookie: realisticCookies(sessionToken) }
  // The token's first verification, the JWKS downloads: before any block (a first block that is
  // asynchronous is unrecorded anyway).
  await fetch(url, { headers })
  await sdk.sessions().validateToken(sessionToken)
  const total = BLOCK * timings.size * CYCLES
  for (let i = 0; i < total; i++) await (await fetch(url, { headers })).text()
  await new Promise((resolve) => server.close(resolve))
  return Object.fromEntries(
    [...timings].map(([name, values]) => [
      name,
      { medianNs: median(values), p90Ns: percentile(values, 90), count: values.length },
    ]),
  )
}

// node:http first: until the Express adapter has seen an Express request, it keeps the session in
// a plain property, as it does in a server without Express.
const nodeResult = await measure((timings) => {
  const layer = timed(timings)
  return (req, res) => {
    layer(req, res, () => res.end('hello'))
  }
})
const expressResult = await measure((timings) => {
  const app = express()
  app.use(timed(timings))
  app.get('/', (_req, res) => res.send('hello'))
  return app
})
const honoResult = await measure((timings) => {
  const app = new Hono()
  app.use(timedHono(timings))
  app.get('/', (c) => c.text('hello'))
  const listener = getRequestListener(app.fetch)
  return (req, res) => {
    void listener(req, res)
  }
})
await fake.close()
console.log(
  JSON.stringify({
    requestsPerVariant: BLOCK * (CYCLES - 1),
    express: expressResult,
    node: nodeResult,
    hono: honoResult,
  }),
)
