import { createServer } from 'node:http'
import type { IncomingHttpHeaders } from 'node:http'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startFakeCorbado } from '../../src/testing/index.js'
import type { FakeCorbado } from '../../src/testing/index.js'
import { cookies, listen } from '../helpers/http.js'
import type { RunningServer } from '../helpers/http.js'
import { ensureBuilt, killAll, runCli } from './spawn.js'
import type { CliRun } from './spawn.js'

/** A backend that answers every request with the headers it received. */
async function startHeaderEcho(): Promise<RunningServer> {
  return listen(
    createServer((req, res) => {
      res.setHeader('content-type', 'application/json')
      res.end(JSON.stringify(req.headers))
    }),
  )
}

async function startProxy(target: string, fake: FakeCorbado, extra: string[] = []) {
  const proxy: CliRun = runCli([
    'proxy',
    '--target',
    target,
    '--project-id',
    fake.projectId,
    '--frontend-api-url',
    fake.url,
    '--port',
    '0',
    '--host',
    '127.0.0.1',
    '--log-level',
    'debug',
    ...extra,
  ])
  const url = (await proxy.logLine('corbado-keepalive: proxy listening')).url as string
  return { proxy, url }
}

beforeAll(() => {
  ensureBuilt()
}, 180_000)
afterEach(async () => {
  await killAll()
})

describe('corbado-keepalive proxy: security', () => {
  let fake: FakeCorbado
  let backend: RunningServer

  beforeAll(async () => {
    fake = await startFakeCorbado()
    backend = await startHeaderEcho()
  })
  afterAll(async () => {
    await backend.close()
    await fake.close()
  })
  beforeEach(() => {
    fake.setFault(undefined)
    fake.resetCalls()
  })

  it("A's session with B's refresh-token stays A's after B's refresh was reused", async () => {
    const { proxy, url } = await startProxy(backend.url, fake)
    const a = fake.login('usr-1001', { sessionLifetimeSeconds: 30 })
    const b = fake.login('usr-2002')
    const onlyB = await fetch(url, { headers: { cookie: `cbo_refresh_token=${b.refreshToken}` } })
    expect(onlyB.headers.getSetCookie().join()).toMatch(/cbo_session_token=/)
    const mixed = cookies({ cbo_session_token: a.sessionToken, cbo_refresh_token: b.refreshToken })
    const response = await fetch(url, { headers: { cookie: mixed } })
    const seen = (await response.json()) as IncomingHttpHeaders
    expect(response.headers.getSetCookie()).toEqual([])
    expect(seen.cookie).toBe(mixed)
    expect(fake.refreshCount).toBe(1)
    const mismatches = proxy
      .stderr()
      .split('\n')
      .filter((line) => line.includes('subject-mismatch'))
    expect(mismatches).toHaveLength(1)
    expect(JSON.parse(mismatches[0]!)).toMatchObject({ level: 'warn', reason: 'subject-mismatch' })
    for (const secret of [a.sessionToken, b.refreshToken, 'usr-1001', 'usr-2002']) {
      expect(proxy.stdout() + proxy.stderr()).not.toContain(secret)
    }
  })
})
