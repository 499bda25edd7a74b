/**
 * One benchmark server, started by the sections in its own (pinned) process.
 * `--setup` picks what is measured; the package is loaded from its TypeScript sources (through tsx).
 * `/__bench/cpu` and `/__bench/heap` report the process's CPU time and heap; `/__bench/loop-delay`
 * the event loop's longest and p99 delay since the previous call (milliseconds; the first call
 * starts the measurement);
 * `/__bench/profile/start` and `/__bench/profile/stop` a CPU profile of what ran in between;
 * `/__bench/refresh-timings/start` and `/__bench/refresh-timings` each request's time in the
 * server and its refresh call's time, for requests made one at a time (§2).
 */
import { createServer } from 'node:http'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks'
import { cpuProfiler } from './lib/cpu-profiler.js'
import { createFloorLookup } from './lib/floor.js'
import type { RequestTiming } from './lib/processes.js'
import { parseArgs } from 'node:util'
import { Config, SDK } from '@corbado/node-sdk'
import { getRequestListener } from '@hono/node-server'
import express from 'express'
import { Hono } from 'hono'
import fastify from 'fastify'
import Koa from 'koa'

const { values } = parseArgs({
  options: {
    setup: { type: 'string' },
    'project-id': { type: 'string' },
    'frontend-api-url': { type: 'string' },
    redis: { type: 'string' },
    prefix: { type: 'string' },
    backend: { type: 'string' },
  },
})
const projectId = values['project-id'] ?? 'pro-1234567890'
const frontendApiUrl = values['frontend-api-url'] ?? 'http://127.0.0.1:1'

/**
 * Per-request times of the sequential requests of §2, while enabled by
 * `/__bench/refresh-timings/start`: each request's time in this server (from its arrival to its
 * response's last byte handed to the OS) and, within it, the time its refresh call to the Frontend
 * API took (until the answer's body was read). `/__bench/refresh-timings` returns them in order.
 */
let refreshTimings: RequestTiming[] | undefined
let upstreamMs = 0

const timedFetch: typeof fetch = async (input, init) => {
  const url = input instanceof Request ? input.url : String(input)
  if (refreshTimings === undefined || !url.endsWith('/v2/me/refresh')) return fetch(input, init)
  const started = performance.now()
  try {
    const answer = await fetch(input, init)
    const body = await answer.text()
    return new Response(body, { status: answer.status, headers: answer.headers })
  } finally {
    upstreamMs += performance.now() - started
  }
}

async function keepAliveOptions() {
  if (values.redis === undefined) return { projectId, frontendApiUrl, fetch: timedFetch }
  const { RedisCoordinator } = await import('../src/redis.js')
  // Imported only here: ioredis 6 defines `class VerbatimString extends String`, which leaves
  // `String.prototype` in V8's dictionary mode, so that every string method call in optimised code
  // becomes a generic property load. Imported at the top, it slowed every other setup too.
  const { Redis } = await import('ioredis')
  const coordinator = new RedisCoordinator({
    redis: new Redis(values.redis),
    keyPrefix: values.prefix,
  })
  return { projectId, frontendApiUrl, coordinator }
}

type Handler = (req: IncomingMessage, res: ServerResponse) => unknown

async function app(setup: string | undefined): Promise<Handler> {
  switch (setup) {
    case 'express-bare': {
      const a = express()
      a.get('/', (_req, res) => res.send('hello'))
      return a
    }
    case 'express-noop': {
      const a = express()
      a.use((_req, _res, next) => {
        next()
      })
      a.get('/', (_req, res) => res.send('hello'))
      return a
    }
    case 'express-floor': {
      // The least any keep-alive must do (bench/lib/floor.ts), as Express middleware.
      const floorLookup = createFloorLookup()
      const a = express()
      a.use((req, _res, next) => {
        next(floorLookup(req.headers.cookie) ? undefined : new Error('floor: no hit'))
      })
      a.get('/', (_req, res) => res.send('hello'))
      return a
    }
    case 'express-keepalive': {
      const { corbadoKeepAlive } = await import('../src/express.js')
      const a = express()
      a.use(corbadoKeepAlive(await keepAliveOptions()))
      a.get('/', (req, res) => res.send(req.corbadoSession === undefined ? 'anonymous' : 'hello'))
      return a
    }
    case 'express-keepalive-otel': {
      // As `express-keepalive`, with OpenTelemetry installed and an SDK registered first.
      const { registerDroppingOpenTelemetrySdk } = await import('./otel-sdk.js')
      await registerDroppingOpenTelemetrySdk()
      const { corbadoKeepAlive } = await import('../src/express.js')
      const a = express()
      a.use(corbadoKeepAlive(await keepAliveOptions()))
      a.get('/', (req, res) => res.send(req.corbadoSession === undefined ? 'anonymous' : 'hello'))
      return a
    }
    case 'express-node-sdk': {
      const sdk = new SDK(
        new Config(projectId, `corbado1_${'x'.repeat(30)}`, frontendApiUrl, frontendApiUrl),
      )
      const a = express()
      a.use((req, _res, next) => {
        const token = /(?:^|;\s*)cbo_session_token=([^;]*)/.exec(req.headers.cookie ?? '')?.[1]
        if (token === undefined) {
          next()
          return
        }
        sdk
          .sessions()
          .validateToken(token)
          .then(() => {
            next()
          }, next)
      })
      a.get('/', (_req, res) => res.send('hello'))
      return a
    }
    case 'koa-bare': {
      const a = new Koa()
      a.use((ctx) => {
        ctx.body = 'hello'
      })
      return a.callback()
    }
    case 'koa-noop': {
      const a = new Koa()
      a.use((_ctx, next) => next())
      a.use((ctx) => {
        ctx.body = 'hello'
      })
      return a.callback()
    }
    case 'koa-floor': {
      const floorLookup = createFloorLookup()
      const a = new Koa()
      a.use((ctx, next) => {
        if (!floorLookup(ctx.req.headers.cookie)) throw new Error('floor: no hit')
        return next()
      })
      a.use((ctx) => {
        ctx.body = 'hello'
      })
      return a.callback()
    }
    case 'koa-node-sdk': {
      const sdk = new SDK(
        new Config(projectId, `corbado1_${'x'.repeat(30)}`, frontendApiUrl, frontendApiUrl),
      )
      const a = new Koa()
      a.use(async (ctx, next) => {
        const token = /(?:^|;\s*)cbo_session_token=([^;]*)/.exec(ctx.get('cookie'))?.[1]
        if (token !== undefined) await sdk.sessions().validateToken(token)
        await next()
      })
      a.use((ctx) => {
        ctx.body = 'hello'
      })
      return a.callback()
    }
    case 'koa-keepalive': {
      const { corbadoKeepAlive } = await import('../src/koa.js')
      const a = new Koa()
      a.use(corbadoKeepAlive(await keepAliveOptions()))
      a.use((ctx) => {
        ctx.body = 'hello'
      })
      return a.callback()
    }
    case 'hono-bare': {
      const a = new Hono()
      a.get('/', (c) => c.text('hello'))
      return getRequestListener(a.fetch)
    }
    case 'hono-noop': {
      const a = new Hono()
      a.use((_c, next) => next())
      a.get('/', (c) => c.text('hello'))
      return getRequestListener(a.fetch)
    }
    case 'hono-keepalive': {
      const { corbadoKeepAlive } = await import('../src/hono.js')
      const a = new Hono()
      a.use(corbadoKeepAlive(await keepAliveOptions()))
      a.get('/', (c) => c.text(c.get('corbadoSession') === undefined ? 'anonymous' : 'hello'))
      return getRequestListener(a.fetch)
    }
    case 'fastify-bare': {
      const a = fastify()
      a.get('/', () => 'hello')
      await a.ready()
      return (req, res) => {
        a.routing(req, res)
      }
    }
    case 'fastify-noop': {
      // A hook that only calls `next()`, where the keep-alive's runs: what any such hook costs.
      const a = fastify()
      a.addHook('onRequest', (_request, _reply, next) => {
        next()
      })
      a.get('/', () => 'hello')
      await a.ready()
      return (req, res) => {
        a.routing(req, res)
      }
    }
    case 'fastify-keepalive': {
      const { corbadoKeepAlive } = await import('../src/fastify.js')
      const a = fastify()
      await a.register(corbadoKeepAlive, await keepAliveOptions())
      a.get('/', (request) => (request.corbadoSession === undefined ? 'anonymous' : 'hello'))
      await a.ready()
      return (req, res) => {
        a.routing(req, res)
      }
    }
    case 'next-passthrough':
      return (await import('./next-setups.js')).nextPassThrough()
    case 'next-keepalive':
      return (await import('./next-setups.js')).nextKeepAlive(await keepAliveOptions())
    case 'proxy-keepalive':
    case 'proxy-plain':
      return proxy(setup === 'proxy-keepalive')
    case 'http-proxy-bare': {
      const { createProxyMiddleware } = await import('http-proxy-middleware')
      const { keepAliveAgent } = await import('../src/node/agent.js')
      const target = new URL(values.backend ?? 'http://127.0.0.1:1')
      const backend = createProxyMiddleware({ target: target.href, agent: keepAliveAgent(target) })
      return (req, res) => backend(req, res)
    }
    default:
      throw new Error(`unknown --setup ${String(setup)}`)
  }
}

/**
 * `corbado-keepalive proxy` itself, in this process on a port of its own, forwarding to
 * `--backend`; this server's own port keeps answering `/__bench/*`, and the proxy's URL is
 * printed as the one to load.
 */
async function proxy(keepAlive: boolean): Promise<Handler> {
  const { parseCommandLine } = await import('../src/cli/args.js')
  const { createLineLogger } = await import('../src/cli/log.js')
  const { startProxy } = await import('../src/cli/proxy-server.js')
  const command = parseCommandLine(
    [
      'proxy',
      '--target',
      values.backend ?? 'http://127.0.0.1:1',
      '--project-id',
      projectId,
      '--frontend-api-url',
      frontendApiUrl,
      '--host',
      '127.0.0.1',
      '--port',
      '0',
      '--log-level',
      'error',
    ],
    {},
  )
  if (command.kind !== 'proxy') throw new Error('not a proxy command')
  const running = await startProxy(
    command.config,
    createLineLogger('error', {
      out: () => undefined,
      err: (line) => process.stderr.write(line),
    }),
    { keepAlive },
  )
  loadUrl = running.url
  return (_req, res) => {
    res.statusCode = 404
    res.end()
  }
}

let loadUrl: string | undefined
const handler = await app(values.setup)
// Event-loop delay at 1 ms resolution: the longest time the loop could not run anything. Enabled
// at the first /__bench/loop-delay, by the storm: its timer wakes the process a thousand times a
// second, which the dozens of servers the hot-path section keeps on one CPU cannot all afford.
const loopDelay = monitorEventLoopDelay({ resolution: 1 })
const profiler = cpuProfiler()
// The longest garbage-collection pause since the last report, which the loop delay includes.
let longestGcMs = 0
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) longestGcMs = Math.max(longestGcMs, entry.duration)
}).observe({ entryTypes: ['gc'] })
const server = createServer((req, res) => {
  if (req.url === '/__bench/cpu') {
    res.end(JSON.stringify(process.cpuUsage()))
  } else if (req.url === '/__bench/profile/start') {
    void profiler.start().then(() => res.end('{}'))
  } else if (req.url === '/__bench/profile/stop') {
    void profiler.stop().then((profile) => res.end(JSON.stringify(profile)))
  } else if (req.url === '/__bench/loop-delay') {
    loopDelay.enable()
    res.end(
      JSON.stringify({
        maxMs: loopDelay.max / 1e6,
        p99Ms: loopDelay.percentile(99) / 1e6,
        longestGcMs,
      }),
    )
    loopDelay.reset()
    longestGcMs = 0
  } else if (req.url === '/__bench/refresh-timings/start') {
    refreshTimings = []
    res.end('{}')
  } else if (req.url === '/__bench/refresh-timings') {
    res.end(JSON.stringify(refreshTimings ?? []))
    refreshTimings = undefined
  } else if (req.url === '/__bench/heap') {
    globalThis.gc?.()
    res.end(String(process.memoryUsage().heapUsed))
  } else {
    if (refreshTimings !== undefined) timeRequest(res, refreshTimings)
    void handler(req, res)
  }
})
function timeRequest(res: ServerResponse, into: RequestTiming[]): void {
  const started = performance.now()
  upstreamMs = 0
  res.once('finish', () => {
    into.push({ totalMs: performance.now() - started, upstreamMs })
  })
}
server.keepAliveTimeout = 60_000
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo
  const own = `http://127.0.0.1:${port}`
  console.log(JSON.stringify({ url: loadUrl ?? own, probeUrl: own }))
})
process.on('SIGTERM', () => {
  server.closeAllConnections()
  server.close(() => process.exit(0))
})
