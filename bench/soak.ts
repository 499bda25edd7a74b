/**
 * Soak test: mixed traffic (fresh, near-expiry, revoked and garbage sessions) against Express 5
 * with the keep-alive, while the fake Frontend API toggles faults. Reports heap, cache sizes and
 * open handles at the start and the end, and fails (exit 1) on growth beyond the caches' bounds
 * or leaked timers/sockets. Loopback only.
 *
 *   SOAK_SECONDS=60 npm run test:soak      # default 600
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import express from 'express'
import type { Request, Response as ExpressResponse } from 'express'
import { corbadoKeepAlive } from '../src/express.js'
import { startFakeCorbado } from '../src/testing/index.js'
import type { FakeFault } from '../src/testing/index.js'

const SECONDS = Number(process.env.SOAK_SECONDS ?? 600)
const CONCURRENCY = 16
const USERS = 2000
const FAULT_PERIOD_MS = 5000
/** The keep-alive's verified-token cache bound (src/core/keep-alive.ts). */
const VERIFIED_CACHE_BOUND = 10_000
/** Heap may grow by at most this over the start, once caches are full (they hold < 30 MB). */
const HEAP_GROWTH_LIMIT_MB = 64

const FAULTS: (FakeFault | undefined)[] = [
  undefined,
  { type: 'status', status: 503, retryAfterSeconds: 1 },
  undefined,
  { type: 'hang' },
  undefined,
  { type: 'reset' },
  { type: 'other-user' },
  undefined,
  { type: 'status', status: 503, route: 'jwks' },
  { type: 'non-json' },
]

function gc(): void {
  const collect = (globalThis as { gc?: () => void }).gc
  collect?.()
  collect?.()
}

function heapMb(): number {
  return Math.round((process.memoryUsage().heapUsed / 1024 / 1024) * 10) / 10
}

function resources(): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const name of process.getActiveResourcesInfo()) counts[name] = (counts[name] ?? 0) + 1
  return counts
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

async function main(): Promise<void> {
  if (!Number.isFinite(SECONDS) || SECONDS <= 0) throw new Error('SOAK_SECONDS must be > 0')
  const baseline = resources()
  const fake = await startFakeCorbado()
  const middleware = corbadoKeepAlive<Request>({
    projectId: fake.projectId,
    frontendApiUrl: fake.url,
    refreshTimeoutMs: 500,
    circuitBreaker: { failureThreshold: 5, cooldownMs: 2000 },
  })
  const app = express()
  app.use(middleware)
  app.get('/session', (req: Request, res: ExpressResponse) => {
    res.json({ userId: req.corbadoSession?.userId ?? null })
  })
  const server = createServer(app)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}/session`

  // A fixed pool of users: the fake's own store stays small, so heap growth is ours.
  const users = Array.from({ length: USERS }, (_, i) => {
    const id = `usr-${String(100_000 + i)}`
    return { id, ...fake.login(id, { sessionLifetimeSeconds: 120 }) }
  })
  const revoked = users.slice(0, 100).map((user) => user.refreshToken)
  for (const refreshToken of revoked) fake.revoke(refreshToken)

  let sent = 0
  let failedRequests = 0
  let wrongUser = 0
  let providerVouched = 0
  let counter = 0
  const cookieFor = (n: number): { cookie: string; expect: string | null } => {
    const user = users[n % USERS] ?? users[0]
    if (user === undefined) throw new Error('no users')
    switch (n % 5) {
      case 0: // fresh
        return {
          cookie: `cbo_session_token=${user.sessionToken}; cbo_refresh_token=${user.refreshToken}`,
          expect: user.id,
        }
      case 1: // near expiry: refreshed, a new token every time
        return {
          cookie: `cbo_session_token=${fake.mintSessionToken(user.id, { expiresInSeconds: 20 })}; cbo_refresh_token=${user.refreshToken}`,
          expect: user.id,
        }
      case 2: // revoked
        return {
          cookie: `cbo_refresh_token=${revoked[n % revoked.length] ?? ''}`,
          expect: null,
        }
      case 3: // garbage: made-up refresh-tokens and tokens, never seen twice
        return {
          cookie: `cbo_session_token=garbage.${String(n)}.x; cbo_refresh_token=fake-${String(n)}-${Math.random().toString(36).slice(2)}`,
          expect: null,
        }
      default: // only a refresh-token (tab closed past the token's lifetime)
        return { cookie: `cbo_refresh_token=${user.refreshToken}`, expect: user.id }
    }
  }

  const started = Date.now()
  const deadline = started + SECONDS * 1000
  let faultIndex = 0
  const toggler = setInterval(() => {
    faultIndex = (faultIndex + 1) % FAULTS.length
    fake.setFault(FAULTS[faultIndex])
  }, FAULT_PERIOD_MS)

  // Warm up, then take the start figures.
  await Promise.all(
    Array.from({ length: 200 }, (_, i) =>
      fetch(url, { headers: { cookie: cookieFor(i).cookie } }).then((r) => r.text()),
    ),
  )
  gc()
  const start = { heapMb: heapMb(), resources: resources(), stats: middleware.stats() }

  async function worker(): Promise<void> {
    while (Date.now() < deadline) {
      const n = counter++
      const { cookie, expect } = cookieFor(n)
      sent++
      try {
        const response = await fetch(url, { headers: { cookie } })
        const body = (await response.json()) as { userId: string | null }
        if (response.status !== 200) failedRequests++
        // Fail-open may serve anonymous; it must never serve someone else.
        // Only a request with a session-token names its user; for a refresh-token alone the
        // provider's answer is all there is (the fake's `other-user` fault vouches for anyone).
        if (body.userId !== null && body.userId !== expect) {
          if (cookie.startsWith('cbo_session_token=ey')) wrongUser++
          else providerVouched++
        }
      } catch {
        failedRequests++
      }
    }
  }
  const reporter = setInterval(() => {
    const now = Date.now()
    const s = middleware.stats()
    console.log(
      `[${String(Math.round((now - started) / 1000))} s] requests ${String(sent)}, heap ${String(heapMb())} MB, verified cache ${String(s.verifiedTokenCache.size)}, circuit ${s.circuit}, upstream ${String(s.upstreamRefreshes)}`,
    )
  }, 10_000)
  await Promise.all(Array.from({ length: CONCURRENCY }, () => worker()))
  clearInterval(reporter)
  clearInterval(toggler)
  fake.setFault(undefined)

  await sleep(1000) // let timed-out upstream calls and keep-alive sockets settle
  gc()
  const end = { heapMb: heapMb(), resources: resources(), stats: middleware.stats() }

  server.closeAllConnections()
  await new Promise<void>((resolve) =>
    server.close(() => {
      resolve()
    }),
  )
  await fake.close()
  await sleep(200)
  const afterClose = resources()

  const s = end.stats
  const report = {
    seconds: Math.round((Date.now() - started) / 1000),
    requests: sent,
    requestsPerSecond: Math.round(sent / SECONDS),
    failedRequests,
    wrongUser,
    refreshOnlyServedProviderVouchedUser: providerVouched,
    heapMb: {
      start: start.heapMb,
      end: end.heapMb,
      growth: Math.round((end.heapMb - start.heapMb) * 10) / 10,
    },
    verifiedTokenCache: {
      start: start.stats.verifiedTokenCache.size,
      end: s.verifiedTokenCache.size,
      bound: VERIFIED_CACHE_BOUND,
    },
    upstreamRefreshes: s.upstreamRefreshes,
    refreshes: s.refreshes,
    sessionsEnded: s.sessionsEnded,
    failures: s.failures,
    resources: { baseline, start: start.resources, end: end.resources, afterClose },
  }
  console.log(JSON.stringify(report, null, 2))

  const problems: string[] = []
  if (failedRequests > 0) problems.push(`${String(failedRequests)} requests did not get a 200`)
  if (wrongUser > 0) problems.push(`${String(wrongUser)} requests saw another user`)
  if (s.verifiedTokenCache.size > VERIFIED_CACHE_BOUND)
    problems.push('verified-token cache beyond its bound')
  if (end.heapMb - start.heapMb > HEAP_GROWTH_LIMIT_MB)
    problems.push('heap grew beyond the caches’ bounds')
  // Everything this run opened is closed again: no timer, socket or server is left behind.
  for (const [name, count] of Object.entries(afterClose)) {
    if (count > (baseline[name] ?? 0))
      problems.push(`leaked ${name}: ${String(count - (baseline[name] ?? 0))}`)
  }
  if (problems.length > 0) {
    console.error(`soak FAILED: ${problems.join('; ')}`)
    process.exitCode = 1
  } else console.log('soak passed')
}

await main()
