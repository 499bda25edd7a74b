import { randomUUID } from 'node:crypto'
import { createServer } from 'node:http'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startFakeCorbado } from '../../src/testing/index.js'
import type { FakeCorbado } from '../../src/testing/index.js'
import { claimsOf, cookies, listen, setCookieOf, valueOf } from '../helpers/http.js'
import type { RunningServer } from '../helpers/http.js'
import { requireBuiltDist } from '../helpers/dist.js'
import { killAll, proxyArgs, runCli } from './spawn.js'

let fake: FakeCorbado
let backend: RunningServer

beforeAll(async () => {
  requireBuiltDist()
  fake = await startFakeCorbado()
  backend = await listen(createServer((_req, res) => res.end('ok')))
})
afterAll(async () => {
  await backend.close()
  await fake.close()
})
afterEach(async () => {
  await killAll()
})

async function startInstance(keyPrefix: string, ...more: string[]) {
  const cli = runCli(
    proxyArgs(backend.url, fake, '--redis-url', 'redis://127.0.0.1:6379', ...more),
    {
      CORBADO_KEEPALIVE_REDIS_KEY_PREFIX: keyPrefix,
    },
  )
  const url = (await cli.logLine('corbado-keepalive: proxy listening')).url as string
  return { cli, url }
}

describe('corbado-keepalive proxy --redis-url', () => {
  it('two proxy instances share one refresh through Redis', async () => {
    const keyPrefix = `test:cli-redis:${randomUUID()}:`
    const [a, b] = await Promise.all([startInstance(keyPrefix), startInstance(keyPrefix)])
    const { sessionToken, refreshToken } = fake.login('usr-r', { sessionLifetimeSeconds: 30 })
    const cookie = cookies({ cbo_session_token: sessionToken, cbo_refresh_token: refreshToken })

    const first = await fetch(a.url, { headers: { cookie } })
    const second = await fetch(b.url, { headers: { cookie } })

    const fromA = valueOf(setCookieOf(first, 'cbo_session_token'))
    const fromB = valueOf(setCookieOf(second, 'cbo_session_token'))
    expect(fromA).toBeDefined()
    expect(claimsOf(fromA!).sub).toBe('usr-r')
    // The second instance reuses the first one's result instead of refreshing again.
    expect(fromB).toBe(fromA)
    expect(fake.refreshCount).toBe(1)

    a.cli.child.kill('SIGTERM')
    b.cli.child.kill('SIGTERM')
    expect(await a.cli.exited).toBe(0)
    expect(await b.cli.exited).toBe(0)
  })

  it("a refresh slower than the coordinator's default lock, within --refresh-timeout-ms, is made once", async () => {
    // 6 s: longer than the 5 s lock the proxy used whatever --refresh-timeout-ms said.
    fake.setLatency(6000, 'refresh')
    try {
      const keyPrefix = `test:cli-redis:${randomUUID()}:`
      const flags = ['--refresh-timeout-ms', '8000']
      const [a, b] = await Promise.all([
        startInstance(keyPrefix, ...flags),
        startInstance(keyPrefix, ...flags),
      ])
      fake.resetCalls()
      const { sessionToken, refreshToken } = fake.login('usr-slow', { sessionLifetimeSeconds: 30 })
      const cookie = cookies({ cbo_session_token: sessionToken, cbo_refresh_token: refreshToken })

      const first = fetch(a.url, { headers: { cookie } })
      // Instance b asks once the default lock would have expired, while a's call still runs.
      await new Promise((resolve) => setTimeout(resolve, 5400))
      const second = await fetch(b.url, { headers: { cookie } })
      const fromA = valueOf(setCookieOf(await first, 'cbo_session_token'))
      expect(fromA).toBeDefined()
      expect(valueOf(setCookieOf(second, 'cbo_session_token'))).toBe(fromA)
      expect(fake.refreshCount).toBe(1)
    } finally {
      fake.setLatency(0, 'refresh')
    }
  }, 30_000)
})
