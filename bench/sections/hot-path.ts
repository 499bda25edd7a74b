/**
 * Hot path: every request carries a valid session-token far from expiry. Server CPU time per
 * request for bare Express, Express with corbadoKeepAlive, and Express validating with
 * @corbado/node-sdk on every request; the same for Koa; bare Fastify against Fastify with the
 * plugin; bare Hono against Hono with the middleware; a pass-through Next.js proxy function
 * against the Next.js keep-alive; `corbado-keepalive proxy` against the same proxy without the
 * keep-alive, and against a bare http-proxy-middleware hop.
 *
 * The machine is shared: CPU time per request drifts by ±15 % between runs seconds apart, far
 * more than the few microseconds measured. So the two setups of each comparison are loaded at
 * the same time, at the same fixed rate, on the same (pinned) CPU, and the ratio of their CPU
 * times is taken within that window; which starts first alternates; the median over many short
 * rounds is reported. A/A comparisons (a setup against a second process of itself) show how far
 * the method reads from 1.000 when nothing differs.
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { FakeCorbado } from '../../src/testing/index.js'
import { load, loadPaired } from '../lib/load.js'
import type { LoadResult } from '../lib/load.js'
import { startServer } from '../lib/processes.js'
import { median } from '../lib/stats.js'

export const SETUPS = [
  'express-bare',
  'express-noop',
  'express-floor',
  'express-keepalive',
  'express-node-sdk',
  'koa-bare',
  'koa-noop',
  'koa-floor',
  'koa-keepalive',
  'koa-node-sdk',
  'hono-bare',
  'hono-noop',
  'hono-keepalive',
  'fastify-bare',
  'fastify-noop',
  'fastify-keepalive',
  'next-passthrough',
  'next-keepalive',
  'express-keepalive-otel',
  'proxy-plain',
  'proxy-keepalive',
  'http-proxy-bare',
] as const
export type Setup = (typeof SETUPS)[number]

/** A comparison: `subject` against `baseline`, both loaded at `rate` requests per second. */
interface Pair {
  readonly name: PairName
  readonly baseline: Setup
  readonly subject: Setup
  readonly rate: number
}

export type PairName =
  | 'expressSame'
  | 'expressNoop'
  | 'expressFloor'
  | 'expressKeepAlive'
  | 'nodeSdkOverKeepAlive'
  | 'koaSame'
  | 'koaKeepAlive'
  | 'koaNoop'
  | 'koaFloor'
  | 'koaNodeSdkOverKeepAlive'
  | 'honoKeepAlive'
  | 'honoNoop'
  | 'fastifySame'
  | 'fastifyKeepAlive'
  | 'fastifyNoop'
  | 'nextKeepAlive'
  | 'otelOverKeepAlive'
  | 'honoSame'
  | 'proxySame'
  | 'proxyKeepAlive'
  | 'proxyOverBareHop'

const PAIRS: readonly Pair[] = [
  { name: 'expressSame', baseline: 'express-bare', subject: 'express-bare', rate: 1000 },
  { name: 'expressKeepAlive', baseline: 'express-bare', subject: 'express-keepalive', rate: 1000 },
  { name: 'expressNoop', baseline: 'express-bare', subject: 'express-noop', rate: 1000 },
  { name: 'expressFloor', baseline: 'express-bare', subject: 'express-floor', rate: 1000 },
  {
    name: 'nodeSdkOverKeepAlive',
    baseline: 'express-keepalive',
    subject: 'express-node-sdk',
    rate: 800,
  },
  { name: 'koaSame', baseline: 'koa-bare', subject: 'koa-bare', rate: 1500 },
  { name: 'koaKeepAlive', baseline: 'koa-bare', subject: 'koa-keepalive', rate: 1500 },
  { name: 'koaNoop', baseline: 'koa-bare', subject: 'koa-noop', rate: 1500 },
  { name: 'koaFloor', baseline: 'koa-bare', subject: 'koa-floor', rate: 1500 },
  {
    name: 'koaNodeSdkOverKeepAlive',
    baseline: 'koa-keepalive',
    subject: 'koa-node-sdk',
    rate: 1000,
  },
  { name: 'honoSame', baseline: 'hono-bare', subject: 'hono-bare', rate: 1500 },
  { name: 'honoKeepAlive', baseline: 'hono-bare', subject: 'hono-keepalive', rate: 1500 },
  { name: 'honoNoop', baseline: 'hono-bare', subject: 'hono-noop', rate: 1500 },
  { name: 'fastifySame', baseline: 'fastify-bare', subject: 'fastify-bare', rate: 1500 },
  { name: 'fastifyKeepAlive', baseline: 'fastify-bare', subject: 'fastify-keepalive', rate: 1500 },
  { name: 'fastifyNoop', baseline: 'fastify-bare', subject: 'fastify-noop', rate: 1500 },
  { name: 'nextKeepAlive', baseline: 'next-passthrough', subject: 'next-keepalive', rate: 1500 },
  {
    name: 'otelOverKeepAlive',
    baseline: 'express-keepalive',
    subject: 'express-keepalive-otel',
    rate: 1000,
  },
  { name: 'proxySame', baseline: 'proxy-plain', subject: 'proxy-plain', rate: 1000 },
  { name: 'proxyKeepAlive', baseline: 'proxy-plain', subject: 'proxy-keepalive', rate: 1000 },
  {
    name: 'proxyOverBareHop',
    baseline: 'http-proxy-bare',
    subject: 'proxy-keepalive',
    rate: 1000,
  },
]

export interface HotPathReport {
  readonly rounds: number
  readonly requestsPerRun: number
  /** Per setup: median CPU µs per request over its paired runs, and its top speed alone. */
  readonly perSetup: Record<
    Setup,
    { cpuMicrosPerRequest: number; requestsPerSecond: number; p99Ms: number }
  >
  /** Per comparison: the rate, the within-window ratios, and their median. */
  readonly pairs: Record<PairName, { rate: number; ratios: number[]; median: number }>
}

/** A realistic Cookie header: analytics, preferences, CSRF, locale, and the session. */
export function realisticCookies(sessionToken: string): string {
  return `${OTHER_COOKIES}; cbo_session_token=${sessionToken}`
}

/** The app's own cookies that a browser sends along with Corbado's. */
export const OTHER_COOKIES = [
  '_ga=GA1.2.1234567890.1700000000',
  'theme=dark',
  'csrftoken=Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4',
  'locale=en-US',
].join('; ')

export async function hotPath(
  fake: FakeCorbado,
  rounds: number,
  amount: number,
): Promise<HotPathReport> {
  const { sessionToken } = fake.login('usr-100000001', {
    name: 'Bench',
    sessionLifetimeSeconds: 3600,
  })
  const headers = { cookie: realisticCookies(sessionToken) }
  // The proxies' backend, in this (the load generator's) process: its work is nobody's CPU time.
  const backend = await startBackend()
  // Each comparison has its own two processes, started for it and stopped after it: a process
  // that served more requests lately costs less per request than one that sat idle, so two sides
  // sharing processes with other comparisons would not start even; and with every comparison's
  // processes alive at once (36 on the server's CPU), some pairs read twice apart in a full run
  // while the same pair read 1.1 on its own.
  const cpu = new Map<Setup, number[]>(SETUPS.map((setup) => [setup, []]))
  const alone = new Map<Setup, { requestsPerSecond: number; p99Ms: number }>()
  const pairs = Object.fromEntries(
    PAIRS.map((p) => [p.name, { rate: p.rate, ratios: [] as number[], median: 0 }]),
  ) as HotPathReport['pairs']
  try {
    for (const pair of PAIRS) {
      const start = (setup: Setup) =>
        startServer({
          setup,
          'project-id': fake.projectId,
          'frontend-api-url': fake.url,
          backend: backend.url,
        })
      const servers = await Promise.all([start(pair.baseline), start(pair.subject)])
      const [baseline, subject] = servers
      try {
        // Warm-up: JIT, the JWKS download, the verified-token cache.
        for (const server of servers) await load(server, { amount: 2000, connections: 10, headers })
        for (let round = 0; round < rounds; round++) {
          const [base, sub] = await loadPaired(baseline, subject, {
            amount,
            rate: pair.rate,
            headers,
            round,
          })
          check(pair.baseline, base)
          check(pair.subject, sub)
          cpu.get(pair.baseline)!.push(base.cpuMicrosPerRequest)
          cpu.get(pair.subject)!.push(sub.cpuMicrosPerRequest)
          pairs[pair.name].ratios.push(sub.cpuMicrosPerRequest / base.cpuMicrosPerRequest)
        }
        // Top speed of each setup alone (the load generator saturates first on 2 cores).
        for (const [setup, server] of [
          [pair.baseline, baseline],
          [pair.subject, subject],
        ] as const) {
          if (alone.has(setup)) continue
          const run = await load(server, { seconds: 3, connections: 10, headers })
          check(setup, run)
          alone.set(setup, { requestsPerSecond: run.requestsPerSecond, p99Ms: run.p99Ms })
        }
      } finally {
        await Promise.all(servers.map((server) => server.stop()))
      }
    }
    for (const pair of PAIRS) pairs[pair.name].median = median(pairs[pair.name].ratios)
    const perSetup = {} as HotPathReport['perSetup']
    for (const setup of SETUPS) {
      perSetup[setup] = { cpuMicrosPerRequest: median(cpu.get(setup)!), ...alone.get(setup)! }
    }
    return { rounds, requestsPerRun: amount, perSetup, pairs }
  } finally {
    await backend.close()
  }
}

/** A backend that answers every request with a short body. */
export async function startBackend(): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((_req, res) => {
    res.end('hello')
  })
  server.keepAliveTimeout = 60_000
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => {
          resolve()
        })
      }),
  }
}

function check(setup: Setup, result: LoadResult): void {
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${setup}: ${result.non2xx} non-2xx, ${result.errors} errors`)
  }
}
