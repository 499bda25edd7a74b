/** A fixed number of requests with autocannon, measuring the server's CPU time around them. */
import autocannon from 'autocannon'
import type { BenchServer } from './processes.js'

/** What one load run measured. */
export interface LoadResult {
  /** Server CPU time (user + system) per request, microseconds. */
  readonly cpuMicrosPerRequest: number
  /** Server user CPU time per request, microseconds: the JavaScript and native code, without the kernel's socket work. */
  readonly userMicrosPerRequest: number
  /** Requests per second the load generator achieved. */
  readonly requestsPerSecond: number
  readonly p50Ms: number
  readonly p99Ms: number
  readonly non2xx: number
  readonly errors: number
}

/**
 * Send GET requests to `server` with `headers` over `connections` connections: `amount` of
 * them, or as many as fit in `seconds`.
 */
export async function load(
  server: BenchServer,
  options: {
    amount?: number
    /** Run for this long instead of a fixed number of requests (seconds). */
    seconds?: number
    connections: number
    headers: Record<string, string>
    path?: string
    /** Requests per second, all connections together; default: as fast as possible. */
    overallRate?: number
    pipelining?: number
  },
): Promise<LoadResult> {
  const before = await server.cpuMicros()
  const result = await autocannon({
    url: server.url + (options.path ?? '/'),
    ...(options.seconds === undefined ? { amount: options.amount } : { duration: options.seconds }),
    connections: options.connections,
    headers: options.headers,
    ...(options.overallRate === undefined ? {} : { overallRate: options.overallRate }),
    ...(options.pipelining === undefined ? {} : { pipelining: options.pipelining }),
  })
  const after = await server.cpuMicros()
  const requests = result.requests.total
  return {
    cpuMicrosPerRequest: (after.user + after.system - before.user - before.system) / requests,
    userMicrosPerRequest: (after.user - before.user) / requests,
    // autocannon ends a run on a whole second: a rate is only meaningful over a set duration.
    requestsPerSecond: options.seconds === undefined ? Number.NaN : requests / options.seconds,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
  }
}

/** Requests of the unmeasured run before each paired one. */
const LEVELLING_REQUESTS = 300

/**
 * Load two servers at the same time, at the same fixed rate, after a short unmeasured run of
 * both, and return both results as `[baseline, subject]`. Whichever starts first alternates with `round`, so that neither has a
 * head start every round.
 */
export async function loadPaired(
  baseline: BenchServer,
  subject: BenchServer,
  options: { amount: number; rate: number; headers: Record<string, string>; round: number },
): Promise<[LoadResult, LoadResult]> {
  const run = (server: BenchServer, amount = options.amount) =>
    load(server, { amount, connections: 5, headers: options.headers, overallRate: options.rate })
  // A process that sat idle costs more per request at first: an unmeasured run levels both.
  await Promise.all([run(baseline, LEVELLING_REQUESTS), run(subject, LEVELLING_REQUESTS)])
  if (options.round % 2 === 0) return Promise.all([run(baseline), run(subject)])
  const [second, first] = await Promise.all([run(subject), run(baseline)])
  return [first, second]
}
