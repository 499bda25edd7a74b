/**
 * Refresh path: the fake Frontend API answers after a fixed latency L. A refreshing request
 * should cost the refresh call itself plus almost nothing, and requests of other sessions on the
 * same instance should not be slowed while refreshes are in flight.
 */
import autocannon from 'autocannon'
import type { FakeCorbado } from '../../src/testing/index.js'
import { startServer } from '../lib/processes.js'
import type { RequestTiming } from '../lib/processes.js'
import { median, percentile } from '../lib/stats.js'
import { OTHER_COOKIES, realisticCookies } from './hot-path.js'

export interface RefreshPathReport {
  readonly latencyMs: number
  readonly samples: number
  readonly medianMs: number
  readonly p99Ms: number
  /** The same refresh call made directly to the Frontend API: L plus its own work, median. */
  readonly directMedianMs: number
  /** The same request with a fresh session (no refresh), median. */
  readonly plainMedianMs: number
  /** What the keep-alive adds: refreshing request − direct refresh call − the same request without refresh (medians). */
  readonly overheadMs: number
  /** A returning user's request (closed tab: the refresh cookie only) that restores the session, median. */
  readonly restoreMedianMs: number
  /** What the keep-alive adds to a restore, measured as {@link overheadMs}. */
  readonly restoreOverheadMs: number
  /**
   * The same, timed inside the server, free of the load generator's noise: a refreshing request's
   * time in the server − its own refresh call's − a fresh session's time in the server (medians).
   */
  readonly inServer: {
    readonly refreshMs: number
    readonly restoreMs: number
    /** A fresh session's request, in the server: what every request costs anyway. */
    readonly plainMs: number
    /** The server's own refresh calls, until their answer was read: the provider's latency. */
    readonly upstreamMs: number
  }
  readonly otherSessions: {
    aloneP50: number
    aloneP99: number
    duringP50: number
    duringP99: number
    refreshesDuring: number
  }
}

export async function refreshPath(
  fake: FakeCorbado,
  latencyMs: number,
  samples: number,
): Promise<RefreshPathReport> {
  const server = await startServer({
    setup: 'express-keepalive',
    'project-id': fake.projectId,
    'frontend-api-url': fake.url,
  })
  fake.setLatency(latencyMs)
  try {
    const expiring = (i: number) => {
      const { sessionToken, refreshToken } = fake.login(`usr-${200000000 + i}`, {
        sessionLifetimeSeconds: 30,
      })
      return realisticCookies(sessionToken) + `; cbo_refresh_token=${refreshToken}`
    }
    // Warm up: JWKS download, JIT.
    for (let i = 0; i < 20; i++) await fetch(server.url, { headers: { cookie: expiring(-1 - i) } })

    // Each sample: one request through the keep-alive that refreshes; the same refresh call made
    // directly to the Frontend API (its L plus its own work: minting and signing a token, HTTP);
    // and the same request with a fresh session (its round trip). What is left is the keep-alive's.
    const latencies: number[] = []
    const restores: number[] = []
    const direct: number[] = []
    const plain: number[] = []
    const { sessionToken: freshToken } = fake.login('usr-299999999', {
      sessionLifetimeSeconds: 3600,
    })
    await server.startRefreshTimings()
    for (let i = 0; i < samples; i++) {
      const cookie = expiring(i)
      const started = performance.now()
      const response = await fetch(server.url, { headers: { cookie } })
      await response.text()
      latencies.push(performance.now() - started)
      if (response.headers.getSetCookie().length !== 1) {
        throw new Error('a refreshing request wrote no cookie')
      }
      // A returning user: the tab was closed, the session cookie is gone, the refresh cookie is left.
      const returning = fake.login(`usr-${270000000 + i}`, { sessionLifetimeSeconds: 30 })
      const restoreStart = performance.now()
      const restored = await fetch(server.url, {
        headers: {
          cookie: `${OTHER_COOKIES}; cbo_refresh_token=${returning.refreshToken}`,
        },
      })
      await restored.text()
      restores.push(performance.now() - restoreStart)
      if (restored.headers.getSetCookie().length !== 1) {
        throw new Error('a returning user was not restored')
      }
      const { refreshToken } = fake.login(`usr-${250000000 + i}`, { sessionLifetimeSeconds: 30 })
      const directStart = performance.now()
      const answer = await fetch(`${fake.url}/v2/me/refresh`, {
        method: 'POST',
        headers: { authorization: `Bearer ${refreshToken}`, 'x-corbado-projectid': fake.projectId },
      })
      await answer.text()
      direct.push(performance.now() - directStart)
      // The same request with a fresh session: the round trip every request costs anyway.
      const plainStart = performance.now()
      const same = await fetch(server.url, { headers: { cookie: realisticCookies(freshToken) } })
      await same.text()
      plain.push(performance.now() - plainStart)
    }

    const inServer = inServerOverhead(await server.refreshTimings(), samples)

    const { sessionToken } = fake.login('usr-300000000', { sessionLifetimeSeconds: 3600 })
    const fresh = { cookie: realisticCookies(sessionToken) }
    const measure = () =>
      autocannon({ url: server.url, amount: 4000, connections: 4, headers: fresh })
    const alone = await measure()

    let stop = false
    let refreshesDuring = 0
    let next = samples
    const background = Array.from({ length: 20 }, async () => {
      while (!stop) {
        const response = await fetch(server.url, { headers: { cookie: expiring(next++) } })
        await response.text()
        refreshesDuring++
      }
    })
    const during = await measure()
    stop = true
    await Promise.all(background)

    const med = median(latencies)
    const directMedian = median(direct)
    const plainMedian = median(plain)
    return {
      latencyMs,
      samples,
      medianMs: med,
      p99Ms: percentile(latencies, 99),
      directMedianMs: directMedian,
      plainMedianMs: plainMedian,
      overheadMs: med - directMedian - plainMedian,
      restoreMedianMs: median(restores),
      restoreOverheadMs: median(restores) - directMedian - plainMedian,
      inServer,
      otherSessions: {
        aloneP50: alone.latency.p50,
        aloneP99: alone.latency.p99,
        duringP50: during.latency.p50,
        duringP99: during.latency.p99,
        refreshesDuring,
      },
    }
  } finally {
    fake.setLatency(0)
    await server.stop()
  }
}

/**
 * What the keep-alive adds, from the server's own timings of the sample loop: per sample a
 * refreshing request, a restore and a fresh session's request, in that order.
 */
function inServerOverhead(
  timings: readonly RequestTiming[],
  samples: number,
): RefreshPathReport['inServer'] {
  if (timings.length !== 3 * samples) {
    throw new Error(`the server timed ${timings.length} requests, not ${3 * samples}`)
  }
  const nth = (offset: number) => timings.filter((_, i) => i % 3 === offset)
  const [refreshes, restores, plains] = [nth(0), nth(1), nth(2)]
  if (![...refreshes, ...restores].every((t) => t.upstreamMs > 0)) {
    throw new Error('a refreshing request made no refresh call')
  }
  if (plains.some((t) => t.upstreamMs > 0)) throw new Error('a fresh session was refreshed')
  const plainMs = median(plains.map((t) => t.totalMs))
  const adds = (list: typeof timings) => median(list.map((t) => t.totalMs - t.upstreamMs)) - plainMs
  return {
    refreshMs: adds(refreshes),
    restoreMs: adds(restores),
    plainMs,
    upstreamMs: median(refreshes.map((t) => t.upstreamMs)),
  }
}
