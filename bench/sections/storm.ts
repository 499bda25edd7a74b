/**
 * A refresh storm: many sessions whose tokens expire within the same second all come back at
 * once, over many connections, as their tokens enter the refresh window. Every session must be refreshed upstream exactly once, while the
 * requests of other, fresh sessions on the same server stay fast and the event loop keeps running.
 * A second, profiled storm says where the server's CPU went; the profiler slows what it measures,
 * so the latencies come from an unprofiled one.
 */
import { Agent, request } from 'node:http'
import type { FakeCorbado } from '../../src/testing/index.js'
import { selfTimes } from '../lib/cpu-profile.js'
import type { CpuProfile } from '../lib/cpu-profile.js'
import { startServer } from '../lib/processes.js'
import { median, percentile } from '../lib/stats.js'
import { realisticCookies } from './hot-path.js'

export interface StormReport {
  /** Options the server's `node` ran with, beyond the bench's own; empty for Node's defaults. */
  readonly nodeArgs: readonly string[]
  readonly sessions: number
  readonly connections: number
  /** Seconds between the first and the last token's expiry. */
  readonly expirySpreadSeconds: number
  /** Refresh calls the Frontend API received during the storm. */
  readonly upstreamCalls: number
  /** Storm requests answered with a new session cookie. */
  readonly refreshed: number
  /** From the first storm request to the last answer, milliseconds. */
  readonly durationMs: number
  /** Requests of other, fresh sessions (4 connections) while the storm ran. */
  readonly others: {
    readonly requests: number
    readonly p50Ms: number
    readonly p99Ms: number
    readonly maxMs: number
  }
  /** The server's event-loop delay during the storm (monitorEventLoopDelay, 1 ms resolution). */
  readonly loopDelay: {
    readonly maxMs: number
    readonly p99Ms: number
    /** The longest garbage-collection pause, part of the loop's delay. */
    readonly longestGcMs: number
  }
  /**
   * Where the server's CPU went: share of its busy samples, by function, most first; when the
   * storm ran under the profiler, which slows what it measures.
   */
  readonly cpu: { readonly busyShare: number; readonly top: [string, number][] } | undefined
}

const OTHER_CONNECTIONS = 4

/**
 * @param nodeArgs - options for the server's `node`, such as `--v8-pool-size=1`; none by default.
 */
export async function storm(
  fake: FakeCorbado,
  sessions: number,
  connections: number,
  profiled: boolean,
  nodeArgs: readonly string[] = [],
): Promise<StormReport> {
  const server = await startServer(
    {
      setup: 'express-keepalive',
      'project-id': fake.projectId,
      'frontend-api-url': fake.url,
    },
    nodeArgs,
  )
  const agent = new Agent({ keepAlive: true, maxSockets: connections + OTHER_CONNECTIONS })
  const get = (cookie: string) =>
    new Promise<{ setCookies: number }>((resolve, reject) => {
      const req = request(server.url, { agent, headers: { cookie } }, (res) => {
        res.resume()
        res.on('end', () => {
          resolve({ setCookies: res.headers['set-cookie']?.length ?? 0 })
        })
      })
      req.on('error', reject)
      req.end()
    })
  let stopped = false
  try {
    const { sessionToken: fresh } = fake.login('usr-499999999', { sessionLifetimeSeconds: 3600 })
    const freshCookie = realisticCookies(fresh)
    await Promise.all(Array.from({ length: 200 }, () => get(freshCookie)))
    // A server that has refreshed before, as one in use has: its refresh path compiled (the first
    // `fetch` alone loads and compiles undici), its connections to the Frontend API open.
    for (let i = 0; i < 10; i++) {
      await Promise.all(
        Array.from({ length: 20 }, (_, j) => {
          const { sessionToken, refreshToken } = fake.login(`usr-${498000000 + i * 20 + j}`, {
            sessionLifetimeSeconds: 30,
          })
          return get(`${realisticCookies(sessionToken)}; cbo_refresh_token=${refreshToken}`)
        }),
      )
    }
    // The sessions were in use before they ran out: each token was verified on an earlier request,
    // when it was still outside the refresh window, and is in the verified-token cache (they go in
    // last, so the cache's 10,000 entries hold them all). All of them expire in the same second,
    // 75 s from now, and enter the (default) 60 s refresh window together.
    const expiresAt = Math.floor(Date.now() / 1000) + 75
    const expiries = new Set<number>()
    const cookies = Array.from({ length: sessions }, (_, i) => {
      const lifetime = expiresAt - Math.floor(Date.now() / 1000)
      expiries.add(Math.floor(Date.now() / 1000) + lifetime)
      const { sessionToken, refreshToken } = fake.login(`usr-${400000000 + i}`, {
        sessionLifetimeSeconds: lifetime,
      })
      return `${realisticCookies(sessionToken)}; cbo_refresh_token=${refreshToken}`
    })
    const callsBeforeWarmUp = fake.refreshCount
    let warmed = 0
    await Promise.all(
      Array.from({ length: connections }, async () => {
        while (warmed < sessions) await get(cookies[warmed++]!)
      }),
    )
    if (fake.refreshCount !== callsBeforeWarmUp) {
      throw new Error('the storm began early: minting and warming the sessions took too long')
    }
    const windowOpens = (expiresAt - 60) * 1000 + 500
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, windowOpens - Date.now())))

    const othersLatencies: number[] = []
    const probes = Array.from({ length: OTHER_CONNECTIONS }, async () => {
      while (!stopped) {
        const started = performance.now()
        await get(freshCookie)
        othersLatencies.push(performance.now() - started)
      }
    })
    const callsBefore = fake.refreshCount
    if (profiled) await server.startProfile()
    await server.loopDelay()
    const started = performance.now()
    let next = 0
    let refreshed = 0
    await Promise.all(
      Array.from({ length: connections }, async () => {
        while (next < sessions) {
          const { setCookies } = await get(cookies[next++]!)
          if (setCookies > 0) refreshed++
        }
      }),
    )
    const durationMs = performance.now() - started
    const loopDelay = await server.loopDelay()
    stopped = true
    await Promise.all(probes)
    const upstreamCalls = fake.refreshCount - callsBefore
    const cpu = profiled ? cpuShares(await server.stopProfile()) : undefined
    return {
      nodeArgs,
      sessions,
      connections,
      expirySpreadSeconds: Math.max(...expiries) - Math.min(...expiries),
      upstreamCalls,
      refreshed,
      durationMs,
      others: {
        requests: othersLatencies.length,
        p50Ms: median(othersLatencies),
        p99Ms: percentile(othersLatencies, 99),
        maxMs: Math.max(...othersLatencies),
      },
      loopDelay,
      cpu,
    }
  } finally {
    stopped = true
    agent.destroy()
    await server.stop()
  }
}

/** The busy share of a profile's samples, and the functions with the most of them. */
function cpuShares(profile: CpuProfile): NonNullable<StormReport['cpu']> {
  const { total, rows } = selfTimes(profile)
  const idle = rows.find(([name]) => name === '(idle)')?.[1] ?? 0
  const busy = total - idle
  return {
    busyShare: busy / total,
    top: rows
      .filter(([name]) => name !== '(idle)')
      .slice(0, 12)
      .map(([name, samples]) => [name, samples / busy]),
  }
}
