import { createServer } from 'node:http'
import express from 'express'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { corbadoGateway } from '../../src/gateway.js'
import { listen } from '../helpers/http.js'
import type { RunningServer } from '../helpers/http.js'
import { startStaleUpstream } from '../helpers/stale-upstream.js'
import type { StaleUpstream } from '../helpers/stale-upstream.js'

describe('corbadoGateway and a Frontend API that closes idle connections without a hint', () => {
  let upstream: StaleUpstream
  let app: RunningServer
  let warnings: Record<string, unknown>[]

  /** An app with the gateway at `/.corbado` (after `express.json()`) in front of `frontendApiUrl`. */
  function startApp(frontendApiUrl: string): Promise<RunningServer> {
    const server = express()
    server.use(express.json())
    server.use(
      '/.corbado',
      corbadoGateway({
        projectId: 'pro-1',
        frontendApiUrl,
        publicUrl: 'https://app.example/.corbado',
        logger: { warn: (context) => warnings.push(context), error: () => undefined },
      }),
    )
    return listen(createServer(server))
  }

  beforeEach(async () => {
    warnings = []
    upstream = await startStaleUpstream()
    app = await startApp(upstream.url)
  })
  afterEach(async () => {
    await app.close()
    await upstream.close()
  })

  it('sends a GET again on a new connection when its pooled one was closed', async () => {
    const first = await fetch(`${app.url}/.corbado/v2/first`)
    expect(first.status).toBe(200)
    expect(await first.json()).toMatchObject({ connection: 1 })

    const second = await fetch(`${app.url}/.corbado/v2/second?token=secret`)
    expect(second.status).toBe(200)
    expect(await second.json()).toMatchObject({ connection: 2, path: '/v2/second?token=secret' })
    expect(upstream.requests).toEqual([
      'GET /v2/first',
      'GET /v2/second?token=secret',
      'GET /v2/second?token=secret',
    ])
    expect(warnings).toEqual([])
  })

  it('sends it on a new connection also when the other pooled ones are as stale', async () => {
    await upstream.close()
    upstream = await startStaleUpstream(100)
    await app.close()
    app = await startApp(upstream.url)
    // Two requests at once leave two connections in the pool.
    const both = await Promise.all([
      fetch(`${app.url}/.corbado/v2/a`),
      fetch(`${app.url}/.corbado/v2/b`),
    ])
    expect(both.map((response) => response.status)).toEqual([200, 200])
    expect(upstream.connections()).toBe(2)

    const third = await fetch(`${app.url}/.corbado/v2/c`)
    expect(third.status).toBe(200)
    expect(await third.json()).toMatchObject({ connection: 3 })
  })

  it('answers 502 to a POST with a body on a closed connection, sent once', async () => {
    expect((await fetch(`${app.url}/.corbado/v2/first`)).status).toBe(200)
    // A bodyless DELETE is sent again…
    expect((await fetch(`${app.url}/.corbado/v2/item`, { method: 'DELETE' })).status).toBe(200)

    // …a body is not: the upstream may have read it, and the stream is consumed.
    const post = await fetch(`${app.url}/.corbado/v2/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ identifier: 'secret@example.com' }),
    })
    expect(post.status).toBe(502)
    expect(await post.json()).toMatchObject({ error: { type: 'bad_gateway' } })
    expect(upstream.requests).toEqual([
      'GET /v2/first',
      'DELETE /v2/item',
      'DELETE /v2/item',
      'POST /v2/login',
    ])
    expect(warnings).toEqual([expect.objectContaining({ status: 502, code: 'ECONNRESET' })])
    expect(JSON.stringify(warnings)).not.toMatch(/secret/)
  })
})
