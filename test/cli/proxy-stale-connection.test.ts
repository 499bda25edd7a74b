import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startFakeCorbado } from '../../src/testing/index.js'
import type { FakeCorbado } from '../../src/testing/index.js'
import { requireBuiltDist } from '../helpers/dist.js'
import { startStaleUpstream } from '../helpers/stale-upstream.js'
import type { StaleUpstream } from '../helpers/stale-upstream.js'
import { killAll, proxyArgs, runCli } from './spawn.js'
import type { CliRun } from './spawn.js'

describe('corbado-keepalive proxy and a backend that closes idle connections without a hint', () => {
  let fake: FakeCorbado
  let backend: StaleUpstream
  let proxy: CliRun
  let url: string

  beforeAll(async () => {
    requireBuiltDist()
    fake = await startFakeCorbado()
  })
  afterAll(async () => {
    await fake.close()
  })
  beforeEach(async () => {
    backend = await startStaleUpstream()
    proxy = runCli(proxyArgs(backend.url, fake))
    url = (await proxy.logLine('corbado-keepalive: proxy listening')).url as string
  })
  afterEach(async () => {
    await killAll()
    await backend.close()
  })

  it('sends a GET again on a new connection when its pooled one was closed', async () => {
    const first = await fetch(`${url}/first`)
    expect(first.status).toBe(200)
    expect(await first.json()).toMatchObject({ connection: 1 })

    const second = await fetch(`${url}/second?token=secret`)
    expect(second.status).toBe(200)
    expect(await second.json()).toMatchObject({ connection: 2, path: '/second?token=secret' })
    expect(backend.requests).toEqual([
      'GET /first',
      'GET /second?token=secret',
      'GET /second?token=secret',
    ])
    expect(proxy.stderr()).not.toContain('upstream request failed')
  })

  it('answers 502 to a POST with a body on a closed connection, sent once', async () => {
    expect((await fetch(`${url}/first`)).status).toBe(200)
    // A bodyless DELETE is sent again…
    expect((await fetch(`${url}/item`, { method: 'DELETE' })).status).toBe(200)

    // …a body is not: the backend may have read it, and the stream is consumed.
    const post = await fetch(`${url}/orders`, { method: 'POST', body: 'one order' })
    expect(post.status).toBe(502)
    expect(await post.json()).toMatchObject({ error: { type: 'bad_gateway' } })
    expect(backend.requests).toEqual(['GET /first', 'DELETE /item', 'DELETE /item', 'POST /orders'])
    expect(proxy.stderr()).toContain('"code":"ECONNRESET"')
  })
})
