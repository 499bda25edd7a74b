/**
 * The keep-alive's own time inside a loaded server, timed around the middleware call itself
 * (`process.hrtime`), so it is free of the noise that CPU time per request carries on a shared
 * machine. Requests rotate through variants on the same server, so all of them run in the same
 * state of caches and JIT: nothing (the timer alone), a middleware that only calls `next()`, one
 * that only sets `req.corbadoSession`, `keepAlive.handle()` alone, and the whole keep-alive
 * middleware. The same rotation runs in Express 5 and in a plain `node:http` server, whose requests
 * Express has not re-prototyped. Prints one JSON line: median and p90 nanoseconds per variant.
 */
import { createServer } from 'node:http'
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import express from 'express'
import { createKeepAlive } from '../../src/core/keep-alive.js'
import { corbadoKeepAlive } from '../../src/express.js'
import { startFakeCorbado } from '../../src/testing/index.js'
import { median, percentile } from '../lib/stats.js'
import type { Variant } from './in-situ.js'
import { realisticCookies } from './hot-path.js'

type Next = () => void
type Middleware = (req: IncomingMessage, res: ServerResponse, next: Next) => void

const REQUESTS_PER_VARIANT = 3000

const fake = await startFakeCorbado()
const { sessionToken } = fake.login('usr-100000001', { sessionLifetimeSeconds: 3600 })
const options = { projectId: fake.projectId, frontendApiUrl: fake.url }
const core = createKeepAlive(options)

function variants(): Record<Variant, Middleware> {
  return {
    timer: (_req, _res, next) => {
      next()
    },
    next: (_req, _res, next) => {
      next()
    },
    store: (req, _res, next) => {
      ;(req as IncomingMessage & { corbadoSession?: unknown }).corbadoSession = undefined
      next()
    },
    handle: (req, _res, next) => {
      const outcome = core.handle({
        method: req.method ?? 'GET',
        cookieHeader: req.headers.cookie,
        clientAddress: undefined,
        raw: req,
      })
      if (outcome instanceof Promise) void outcome.then(next)
      else next()
    },
    keepAlive: corbadoKeepAlive(options),
  }
}

/** The timing layer: runs one variant per request, in rotation, and records its duration. */
function timed(timings: Map<string, number[]>) {
  const entries = Object.entries(variants()) as [Variant, Middleware][]
  for (const [name] of entries) timings.set(name, [])
  let turn = 0
  return (req: IncomingMessage, res: ServerResponse, next: Next) => {
    const [name, variant] = entries[turn++ % entries.length]!
    const call = { returned: false, nextCalled: false }
    const started = process.hrtime.bigint()
    variant(req, res, () => {
      call.nextCalled = true
      if (call.returned) next()
    })
    const took = Number(process.hrtime.bigint() - started)
    call.returned = true
    // Only the warm-up's first requests (the token's first verification) go asynchronous.
    if (!call.nextCalled) return
    timings.get(name)!.push(took)
    next()
  }
}

async function measure(listener: (timings: Map<string, number[]>) => RequestListener) {
  const timings = new Map<string, number[]>()
  const server = createServer(listener(timings))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
  const headers = { cookie: realisticCookies(sessionToken) }
  const total = REQUESTS_PER_VARIANT * timings.size
  // Warm-up: JIT and the verified-token cache; then a fresh record.
  for (let i = 0; i < 2000; i++) await (await fetch(url, { headers })).text()
  for (const values of timings.values()) values.length = 0
  for (let i = 0; i < total; i++) await (await fetch(url, { headers })).text()
  for (const [name, values] of timings) {
    if (values.length !== REQUESTS_PER_VARIANT) throw new Error(`${name} was not synchronous`)
  }
  await new Promise((resolve) => server.close(resolve))
  return Object.fromEntries(
    [...timings].map(([name, values]) => [
      name,
      { medianNs: median(values), p90Ns: percentile(values, 90) },
    ]),
  )
}

const expressResult = await measure((timings) => {
  const app = express()
  app.use(timed(timings))
  app.get('/', (_req, res) => res.send('hello'))
  return app
})
const nodeResult = await measure((timings) => {
  const layer = timed(timings)
  return (req, res) => {
    layer(req, res, () => res.end('hello'))
  }
})
await fake.close()
console.log(
  JSON.stringify({
    requestsPerVariant: REQUESTS_PER_VARIANT,
    express: expressResult,
    node: nodeResult,
  }),
)
