/**
 * Hot path: every request carries a valid session-token far from expiry. Server CPU time per
 * request for bare Express, Express with corbadoKeepAlive, and Express validating with
 * @corbado/node-sdk on every request; the same for Koa.
 *
 * The machine is shared: CPU time per request drifts by ±15 % between runs seconds apart, far
 * more than the few microseconds measured. So the two setups of each comparison are loaded at
 * the same time, at the same fixed rate, on the same (pinned) CPU, and the ratio of their CPU
 * time is taken within that window; the median over rounds is reported.
 */
import type { FakeCorbado } from '../../src/testing/index.js'
import { load } from '../lib/load.js'
import type { LoadResult } from '../lib/load.js'
import { startServer } from '../lib/processes.js'
import type { BenchServer } from '../lib/processes.js'
import { median } from '../lib/stats.js'

export const SETUPS = [
  'express-bare',
  'express-noop',
  'express-keepalive',
  'express-node-sdk',
  'koa-bare',
  'koa-keepalive',
  'koa-node-sdk',
] as const
export type Setup = (typeof SETUPS)[number]

/** A comparison: `subject` against `baseline`, both loaded at `rate` requests per second. */
interface Pair {
  readonly name:
    | 'expressKeepAlive'
    | 'expressNoop'
    | 'nodeSdkOverKeepAlive'
    | 'koaKeepAlive'
    | 'koaNodeSdkOverKeepAlive'
  readonly baseline: Setup
  readonly subject: Setup
  readonly rate: number
}

const PAIRS: readonly Pair[] = [
  { name: 'expressKeepAlive', baseline: 'express-bare', subject: 'express-keepalive', rate: 1000 },
  {
    name: 'nodeSdkOverKeepAlive',
    baseline: 'express-keepalive',
    subject: 'express-node-sdk',
    rate: 800,
  },
  { name: 'expressNoop', baseline: 'express-bare', subject: 'express-noop', rate: 1000 },
  { name: 'koaKeepAlive', baseline: 'koa-bare', subject: 'koa-keepalive', rate: 1500 },
  {
    name: 'koaNodeSdkOverKeepAlive',
    baseline: 'koa-keepalive',
    subject: 'koa-node-sdk',
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
  readonly pairs: Record<Pair['name'], { rate: number; ratios: number[]; median: number }>
}

/** A realistic Cookie header: analytics, preferences, CSRF, locale, and the session. */
export function realisticCookies(sessionToken: string): string {
  return [
    '_ga=GA1.2.1234567890.1700000000',
    'theme=dark',
    'csrftoken=Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4',
    'locale=en-US',
    `cbo_session_token=${sessionToken}`,
  ].join('; ')
}

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
  const started = await Promise.all(
    SETUPS.map((setup) =>
      startServer({ setup, 'project-id': fake.projectId, 'frontend-api-url': fake.url }),
    ),
  )
  const servers = new Map<Setup, BenchServer>(SETUPS.map((setup, i) => [setup, started[i]!]))
  try {
    // Warm-up: JIT, the JWKS download, the verified-token cache.
    for (const server of started) await load(server, { amount, connections: 10, headers })

    const cpu = new Map<Setup, number[]>(SETUPS.map((s) => [s, []]))
    const pairs = Object.fromEntries(
      PAIRS.map((p) => [p.name, { rate: p.rate, ratios: [] as number[], median: 0 }]),
    ) as HotPathReport['pairs']
    for (let round = 0; round < rounds; round++) {
      for (const pair of PAIRS) {
        const run = (setup: Setup) =>
          load(servers.get(setup)!, { amount, connections: 5, headers, overallRate: pair.rate })
        const [base, subject] = await Promise.all([run(pair.baseline), run(pair.subject)])
        check(pair.baseline, base)
        check(pair.subject, subject)
        cpu.get(pair.baseline)!.push(base.cpuMicrosPerRequest)
        cpu.get(pair.subject)!.push(subject.cpuMicrosPerRequest)
        pairs[pair.name].ratios.push(subject.cpuMicrosPerRequest / base.cpuMicrosPerRequest)
      }
    }
    for (const pair of PAIRS) pairs[pair.name].median = median(pairs[pair.name].ratios)

    // Top speed of each setup alone (the load generator saturates first on 2 cores).
    const perSetup = {} as HotPathReport['perSetup']
    for (const setup of SETUPS) {
      const alone = await load(servers.get(setup)!, {
        amount: amount * 2,
        connections: 10,
        headers,
      })
      check(setup, alone)
      perSetup[setup] = {
        cpuMicrosPerRequest: median(cpu.get(setup)!),
        requestsPerSecond: alone.requestsPerSecond,
        p99Ms: alone.p99Ms,
      }
    }
    return { rounds, requestsPerRun: amount, perSetup, pairs }
  } finally {
    await Promise.all(started.map((s) => s.stop()))
  }
}

function check(setup: Setup, result: LoadResult): void {
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${setup}: ${result.non2xx} non-2xx, ${result.errors} errors`)
  }
}
