/**
 * Memory and scale, in one process with `--expose-gc`: 100,000 distinct valid sessions, then
 * 100,000 distinct refreshing sessions, through one keep-alive; heap growth after each phase;
 * then the time per request as the number of distinct sessions grows.
 *
 * Minting 200,000 RS256 tokens takes about 160 s on this machine, so this section runs the
 * keep-alive with `verify: false` and a `fetch` that answers refreshes in-process: the caches,
 * coordinator and cookie handling measured are the same; only the signature check is skipped.
 * The hot-path section measures signature verification with real tokens.
 */
import { createHash } from 'node:crypto'
import { createKeepAlive } from '../../src/index.js'
import type { KeepAlive } from '../../src/index.js'
import { startFakeCorbado } from '../../src/testing/index.js'
import { median } from '../lib/stats.js'

const VERIFIED_SESSIONS = 20_000

const now = Math.floor(Date.now() / 1000)
const header = Buffer.from(
  JSON.stringify({ alg: 'RS256', kid: 'pki-123456789', typ: 'JWT' }),
).toString('base64url')
/** 256 bytes that differ from token to token, as RS256 signatures do. */
function signature(i: number): string {
  const digest = createHash('sha512').update(String(i)).digest()
  return Buffer.concat([digest, digest, digest, digest]).toString('base64url')
}

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
  return `${header}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${signature(i)}`
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

async function run(
  count: number,
  cookieOf: (i: number) => string,
  through: KeepAlive = keepAlive,
  batch = 200,
): Promise<void> {
  for (let start = 0; start < count; start += batch) {
    const pending: unknown[] = []
    for (let i = start; i < Math.min(count, start + batch); i++) {
      pending.push(
        through.handle({
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

const defaultCookieOf = (session: number) =>
  `theme=dark; cbo_session_token=${token(2_000_000 + session)}`

/**
 * Time per request with `distinct` sessions, each seen before: `requests` requests in bursts of
 * `burst`, each burst from another session, spread over all of them, starting at visit
 * `firstVisit` (a point's visits go on from round to round, so that a session past the tokens
 * kept whole is not visited again soon after). Only the `handle()` calls are timed. The round's
 * Cookie headers are built before its first clock starts, each one flat, as a server's parser
 * gives it, and garbage is collected then; each is read once just before its burst, as the
 * parser just did.
 */
async function microsPerRequest(
  distinct: number,
  requests: number,
  burst: number,
  firstVisit = 0,
  cookieOf = defaultCookieOf,
  through: KeepAlive = keepAlive,
): Promise<number> {
  const visits = requests / burst
  const visited = (visit: number) => ((firstVisit + visit) * 7919) % distinct
  const headers = Array.from({ length: visits }, (_, visit) => flat(cookieOf(visited(visit))))
  globalThis.gc!()
  let elapsed = 0n
  let unread = 0
  for (let visit = 0; visit < visits; visit++) {
    const cookieHeader = headers[visit]!
    unread += cookieHeader.indexOf('\0')
    const started = process.hrtime.bigint()
    for (let k = 0; k < burst; k++) {
      const outcome = through.handle({
        method: 'GET',
        cookieHeader,
        clientAddress: undefined,
        raw: undefined,
      })
      if (outcome instanceof Promise) await outcome
    }
    elapsed += process.hrtime.bigint() - started
  }
  if (unread !== -visits) throw new Error('a Cookie header held a NUL')
  return Number(elapsed) / 1000 / requests
}

/** `text` as one flat string: a template literal makes a rope, which its first reader flattens. */
function flat(text: string): string {
  return Buffer.from(text, 'latin1').toString('latin1')
}

const SCALE_POINTS = [1, 10_000, 100_000, 1_000_000]
const SCALE_ROUNDS = 5
const SCALE_REQUESTS_PER_ROUND = 40_000

/** Sessions no point visits, enough to push every other token out of those kept whole. */
const flushKeptWhole = (i: number) => defaultCookieOf(Math.max(...SCALE_POINTS) + i)

/**
 * Every session of every point is seen once first (steady traffic; the points' sessions are the
 * first `distinct` of the same million). Then the points take turns for {@link SCALE_ROUNDS}
 * rounds, in an order that rotates by round, so that the machine's and the compiler's drift falls
 * on all of them alike; a point's figure is its median round. Before its turn, 10,000 sessions no
 * point visits push the tokens kept whole out, so that no point finds the last one's; then a
 * point of at most 10,000 sessions has them all seen again, as its steady traffic keeps them kept
 * whole.
 */
await run(Math.max(...SCALE_POINTS), defaultCookieOf)
const scale: { distinct: number; burst: number; cpuMicrosPerRequest: number; rounds: number[] }[] =
  []
for (const burst of [10, 1]) {
  const rounds = SCALE_POINTS.map(() => [] as number[])
  const visitsPerRound = SCALE_REQUESTS_PER_ROUND / burst
  for (let round = 0; round < SCALE_ROUNDS; round++) {
    for (let turn = 0; turn < SCALE_POINTS.length; turn++) {
      const point = (round + turn) % SCALE_POINTS.length
      const distinct = SCALE_POINTS[point]!
      await run(10_000, flushKeptWhole)
      if (distinct <= 10_000) await run(distinct, defaultCookieOf)
      rounds[point]!.push(
        await microsPerRequest(distinct, SCALE_REQUESTS_PER_ROUND, burst, round * visitsPerRound),
      )
    }
  }
  SCALE_POINTS.forEach((distinct, point) => {
    scale.push({
      distinct,
      burst,
      cpuMicrosPerRequest: median(rounds[point]!),
      rounds: rounds[point]!,
    })
  })
}

/**
 * The same with `verify: true` and RS256 tokens, at twice as many sessions as the keep-alive keeps
 * whole (10,000): the first request of a burst finds its token by fingerprint instead of
 * verifying its signature again. Minting a token takes about a millisecond, so this
 * runs at 20,000 sessions, against 1 for reference.
 */
const fake = await startFakeCorbado()
const verifying = createKeepAlive({ projectId: fake.projectId, frontendApiUrl: fake.url })
const signed = Array.from({ length: VERIFIED_SESSIONS }, (_, i) =>
  fake.mintSessionToken(`usr-${3_000_000_000 + i}`),
)
const verifiedScale: { distinct: number; burst: number; cpuMicrosPerRequest: number }[] = []
for (const distinct of [1, VERIFIED_SESSIONS]) {
  const cookieOf = (session: number) => `theme=dark; cbo_session_token=${signed[session]!}`
  await run(distinct, cookieOf, verifying)
  verifiedScale.push({
    distinct,
    burst: 10,
    cpuMicrosPerRequest: await microsPerRequest(distinct, 200_000, 10, 0, cookieOf, verifying),
  })
}
await fake.close()

console.log(
  JSON.stringify({
    baselineMb: baseline,
    afterValidMb: afterValid,
    afterRefreshingMb: afterRefreshing,
    growthMb: afterRefreshing - baseline,
    refreshCalls,
    cacheSize: stats.verifiedTokenCache.size,
    scale,
    verifiedScale,
  }),
)
