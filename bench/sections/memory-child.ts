/**
 * Memory and scale, in one process with `--expose-gc`: 100,000 distinct valid sessions, then
 * 100,000 distinct refreshing sessions, through one keep-alive; heap growth after each phase;
 * then CPU per request as the number of distinct sessions grows.
 *
 * Minting 200,000 RS256 tokens takes about 160 s on this machine, so this section runs the
 * keep-alive with `verify: false` and a `fetch` that answers refreshes in-process: the caches,
 * coordinator and cookie handling measured are the same; only the signature check is skipped.
 * The hot-path section measures signature verification with real tokens.
 */
import { createKeepAlive } from '../../src/index.js'

const now = Math.floor(Date.now() / 1000)
const header = Buffer.from(
  JSON.stringify({ alg: 'RS256', kid: 'pki-123456789', typ: 'JWT' }),
).toString('base64url')
const signature = Buffer.alloc(256, 7).toString('base64url')

/** A Corbado-shaped token for user `i`, as long as a real one. */
function token(i: number, lifetimeSeconds = 3600): string {
  const payload = {
    iss: 'https://pro-1234567890.frontendapi.corbado.io',
    sub: `usr-${1_000_000_000 + i}`,
    exp: now + lifetimeSeconds,
    nbf: now - 10,
    iat: now,
    jti: `${'j'.repeat(20)}${String(i).padStart(10, '0')}`,
    name: 'Ada Lovelace',
    orig: `user${i}@example.com`,
    email: `user${i}@example.com`,
    version: 2,
  }
  return `${header}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${signature}`
}

let refreshCalls = 0
const keepAlive = createKeepAlive({
  projectId: 'pro-1234567890',
  verify: false,
  fetch: (_url, init) => {
    refreshCalls++
    const bearer = new Headers(init?.headers).get('authorization') ?? ''
    const i = Number(bearer.slice('Bearer rt-'.length))
    return Promise.resolve(Response.json({ sessionToken: token(i + 500_000) }))
  },
})

function heapMb(): number {
  globalThis.gc!()
  globalThis.gc!()
  return process.memoryUsage().heapUsed / 2 ** 20
}

async function run(count: number, cookieOf: (i: number) => string, batch = 200): Promise<void> {
  for (let start = 0; start < count; start += batch) {
    const pending: unknown[] = []
    for (let i = start; i < Math.min(count, start + batch); i++) {
      pending.push(
        keepAlive.handle({
          method: 'GET',
          cookieHeader: cookieOf(i),
          clientAddress: undefined,
          raw: undefined,
        }),
      )
    }
    await Promise.all(pending)
  }
}

// Warm up the code paths before the baseline.
await run(2000, (i) => `cbo_session_token=${token(900_000 + i)}`)
await run(2000, (i) => `cbo_refresh_token=rt-${900_000 + i}`)
const baseline = heapMb()
await run(100_000, (i) => `theme=dark; cbo_session_token=${token(i)}`)
const afterValid = heapMb()
await run(100_000, (i) => `theme=dark; cbo_refresh_token=rt-${i}`)
const afterRefreshing = heapMb()
const stats = keepAlive.stats()

/**
 * CPU per request with `distinct` sessions, each sending bursts of `burst` requests, after every
 * session was seen once (steady traffic). The Cookie headers are built before the clock starts.
 */
async function cpuPerRequest(distinct: number, requests: number, burst: number): Promise<number> {
  const cookies = Array.from(
    { length: distinct },
    (_, i) => `theme=dark; cbo_session_token=${token(2_000_000 + i)}`,
  )
  await run(distinct, (i) => cookies[i]!)
  const started = process.cpuUsage()
  let session = 0
  for (let done = 0; done < requests; done += burst) {
    const cookieHeader = cookies[session]!
    for (let k = 0; k < burst; k++) {
      const outcome = keepAlive.handle({
        method: 'GET',
        cookieHeader,
        clientAddress: undefined,
        raw: undefined,
      })
      if (outcome instanceof Promise) await outcome
    }
    session = (session + 7919) % distinct
  }
  const used = process.cpuUsage(started)
  return (used.user + used.system) / requests
}

const scale: { distinct: number; burst: number; cpuMicrosPerRequest: number }[] = []
for (const burst of [10, 1]) {
  for (const distinct of [1, 1000, 100_000]) {
    scale.push({
      distinct,
      burst,
      cpuMicrosPerRequest: await cpuPerRequest(distinct, 200_000, burst),
    })
  }
}

console.log(
  JSON.stringify({
    baselineMb: baseline,
    afterValidMb: afterValid,
    afterRefreshingMb: afterRefreshing,
    growthMb: afterRefreshing - baseline,
    refreshCalls,
    cacheSize: stats.verifiedTokenCache.size,
    scale,
  }),
)
