import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { createServer } from 'node:net'
import type { AddressInfo } from 'node:net'
import { Redis } from 'ioredis'
import { createClient } from 'redis'

/** The Redis the tests use: `REDIS_URL`, else the local default. */
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'

/**
 * Fail unless the tests' Redis answers: a missing service fails the run with the command that
 * brings it up, never skips tests. `npm test` (scripts/test-services.sh) starts one when none answers.
 */
export async function requireRedis(suite: string): Promise<void> {
  try {
    await ping(REDIS_URL)
  } catch (error) {
    throw new Error(
      `${suite}: Redis at ${REDIS_URL} does not answer (${String(error)}): run the tests with ` +
        '`npm test`, or `scripts/test-services.sh npx vitest run <files>`, which start one',
      { cause: error },
    )
  }
}

/** Connect to `url` once, without retries, and PING; rejects when Redis does not answer. */
async function ping(url: string): Promise<void> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 2000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  })
  client.on('error', () => undefined)
  try {
    await client.connect()
    await client.ping()
  } finally {
    client.disconnect()
  }
}

/** A key prefix no other test run uses. */
export function uniquePrefix(label: string): string {
  return `corbado-keepalive-test:${label}:${randomUUID()}:`
}

/** An ioredis client whose errors (e.g. a stopped server) are expected, not printed. */
export function ioredisClient(url = REDIS_URL): Redis {
  const client = new Redis(url, { maxRetriesPerRequest: 1 })
  client.on('error', () => undefined)
  return client
}

/** A connected node-redis client. */
export async function nodeRedisClient(url = REDIS_URL) {
  const client = createClient({ url })
  client.on('error', () => undefined)
  await client.connect()
  return client
}

/** Every key under `prefix` with its raw string value (never FLUSHALL/FLUSHDB: Redis is shared). */
export async function keysUnder(client: Redis, prefix: string): Promise<Map<string, string>> {
  const found = new Map<string, string>()
  let cursor = '0'
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${escapeGlob(prefix)}*`, 'COUNT', 1000)
    cursor = next
    for (const key of keys) {
      const value = await client.get(key)
      if (value !== null) found.set(key, value)
    }
  } while (cursor !== '0')
  return found
}

/** Delete every key under `prefix`. */
export async function deleteKeysUnder(client: Redis, prefix: string): Promise<void> {
  const keys = [...(await keysUnder(client, prefix)).keys()]
  if (keys.length > 0) await client.del(...keys)
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&')
}

/** A `redis-server` of a test's own, on a free port, that the test may kill. */
export interface OwnRedisServer {
  readonly url: string
  /** Kill the server (SIGKILL, like a crash) and wait for it to exit. */
  kill(): Promise<void>
}

/** Start a throw-away `redis-server` (no persistence) and wait until it answers. */
export async function startRedisServer(): Promise<OwnRedisServer> {
  const port = await freePort()
  const child = spawn(
    process.env.REDIS_SERVER ?? 'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  )
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      resolve()
    }),
  )
  const url = `redis://127.0.0.1:${port}`
  try {
    await waitUntilAnswering(url, child)
  } catch (error) {
    child.kill('SIGKILL')
    throw error
  }
  return {
    url,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
      await exited
    },
  }
}

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) =>
    server.close(() => {
      resolve()
    }),
  )
  return port
}

async function waitUntilAnswering(url: string, child: ChildProcess): Promise<void> {
  const giveUpAt = Date.now() + 10_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`)
    try {
      await ping(url)
      return
    } catch (error) {
      if (Date.now() > giveUpAt) throw error
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }
}
