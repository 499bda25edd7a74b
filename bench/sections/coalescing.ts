/**
 * Coalescing: a burst of parallel requests carrying one expiring session must make exactly one
 * upstream call, in one process and across three instances sharing a RedisCoordinator.
 */
import { randomUUID } from 'node:crypto'
import type { FakeCorbado } from '../../src/testing/index.js'
import { startServer } from '../lib/processes.js'
import type { BenchServer } from '../lib/processes.js'
import { median, percentile } from '../lib/stats.js'

export interface CoalescingRun {
  readonly instances: number
  readonly requests: number
  readonly upstreamCalls: number
  readonly distinctTokens: number
  readonly p50Ms: number
  readonly p99Ms: number
}

async function burst(
  fake: FakeCorbado,
  servers: readonly BenchServer[],
  requests: number,
  user: string,
): Promise<CoalescingRun> {
  const { sessionToken, refreshToken } = fake.login(user, { sessionLifetimeSeconds: 30 })
  const cookie = `cbo_session_token=${sessionToken}; cbo_refresh_token=${refreshToken}`
  const before = fake.refreshCount
  const results = await Promise.all(
    Array.from({ length: requests }, async (_, i) => {
      const started = performance.now()
      const response = await fetch(servers[i % servers.length]!.url, { headers: { cookie } })
      await response.text()
      const written = response.headers.getSetCookie()[0]?.split(';')[0]
      return { ms: performance.now() - started, written }
    }),
  )
  const latencies = results.map((r) => r.ms)
  return {
    instances: servers.length,
    requests,
    upstreamCalls: fake.refreshCount - before,
    distinctTokens: new Set(results.map((r) => r.written)).size,
    p50Ms: median(latencies),
    p99Ms: percentile(latencies, 99),
  }
}

export async function coalescing(
  fake: FakeCorbado,
  latencyMs: number,
  redisUrl: string,
): Promise<CoalescingRun[]> {
  fake.setLatency(latencyMs)
  const base = { 'project-id': fake.projectId, 'frontend-api-url': fake.url }
  const runs: CoalescingRun[] = []
  try {
    const single = await startServer({ setup: 'express-keepalive', ...base })
    try {
      await burst(fake, [single], 20, 'usr-400000000') // warm-up: JWKS, JIT
      runs.push(await burst(fake, [single], 500, 'usr-400000001'))
    } finally {
      await single.stop()
    }
    const prefix = `bench:${randomUUID()}:`
    const trio = await Promise.all(
      [0, 1, 2].map(() =>
        startServer({ setup: 'express-keepalive', ...base, redis: redisUrl, prefix }),
      ),
    )
    try {
      await burst(fake, trio, 30, 'usr-400000002')
      runs.push(await burst(fake, trio, 500, 'usr-400000003'))
    } finally {
      await Promise.all(trio.map((s) => s.stop()))
    }
    return runs
  } finally {
    fake.setLatency(0)
  }
}
