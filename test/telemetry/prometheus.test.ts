import { createServer } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseCommandLine } from '../../src/cli/args.js'
import type { ProxyConfig } from '../../src/cli/args.js'
import { createLineLogger } from '../../src/cli/log.js'
import { startProxy } from '../../src/cli/proxy-server.js'
import type { RunningProxy } from '../../src/cli/proxy-server.js'
import { startFakeCorbado } from '../../src/testing/index.js'
import type { FakeCorbado } from '../../src/testing/index.js'
import { startDemo } from '../../example-server/start.js'
import type { RunningDemo } from '../../example-server/start.js'
import { cookies, listen } from '../helpers/http.js'
import type { RunningServer } from '../helpers/http.js'
import { nearExpirySession } from '../helpers/sessions.js'
import { sampleValue, scrape } from './prometheus-scrape.js'

const REFRESHES = 'corbado_keepalive_refreshes_total'

describe('corbado-keepalive proxy --metrics-path', () => {
  let fake: FakeCorbado
  let backend: RunningServer & { paths: string[] }
  let proxy: RunningProxy

  beforeAll(async () => {
    fake = await startFakeCorbado()
    const paths: string[] = []
    backend = Object.assign(
      await listen(
        createServer((req, res) => {
          paths.push(req.url ?? '')
          res.end('backend')
        }),
      ),
      { paths },
    )
    const command = parseCommandLine(
      ['proxy', '--port', '0', '--host', '127.0.0.1', '--metrics-path', '/metrics'],
      {
        CORBADO_KEEPALIVE_TARGET: backend.url,
        CORBADO_PROJECT_ID: fake.projectId,
        CORBADO_FRONTEND_API_URL: fake.url,
      },
    )
    const config = (command as { config: ProxyConfig }).config
    expect(config.metricsPath).toBe('/metrics')
    proxy = await startProxy(config, createLineLogger('silent', { out() {}, err() {} }))
  })
  afterAll(async () => {
    await proxy.close(0)
    await backend.close()
    await fake.close()
  })

  it('serves the keep-alive metrics in Prometheus text format, never forwarded', async () => {
    const { header } = nearExpirySession(fake, 'usr-1')
    fake.setFault({ type: 'status', status: 503, times: 1 })
    expect((await fetch(`${proxy.url}/a`, { headers: { cookie: header } })).status).toBe(200)
    const second = nearExpirySession(fake, 'usr-2')
    expect((await fetch(`${proxy.url}/b`, { headers: { cookie: second.header } })).status).toBe(200)

    const families = await scrape(`${proxy.url}/metrics`)
    expect(backend.paths).toEqual(['/a', '/b'])
    const typeOf = (name: string) => families.find((family) => family.name === name)?.type
    expect(typeOf(REFRESHES)).toBe('COUNTER')
    expect(typeOf('corbado_keepalive_refresh_duration_seconds')).toBe('HISTOGRAM')
    expect(typeOf('corbado_keepalive_circuit_state')).toBe('GAUGE')
    expect(sampleValue(families, REFRESHES, { corbado_keepalive_outcome: 'refreshed' })).toBe(1)
    expect(
      sampleValue(families, REFRESHES, {
        corbado_keepalive_outcome: 'failed',
        error_type: 'upstream-error',
      }),
    ).toBe(1)
    expect(sampleValue(families, 'corbado_keepalive_refresh_duration_seconds')).toBe(2)
    expect(
      sampleValue(families, 'corbado_keepalive_circuit_state', {
        corbado_keepalive_circuit_state: 'closed',
      }),
    ).toBe(1)
    expect(
      sampleValue(families, 'corbado_keepalive_token_cache_lookups_total', {
        corbado_keepalive_token_cache_result: 'miss',
      }),
    ).toBe(2)
    const histogram = families.find((f) => f.name === 'corbado_keepalive_refresh_duration_seconds')
    expect(histogram?.metrics[0]?.buckets?.['+Inf']).toBe('2')
  })
})

describe('the demo app', () => {
  let demo: RunningDemo

  beforeAll(async () => {
    demo = await startDemo({ secureCookies: false })
  })
  afterAll(async () => {
    await demo.close()
  })

  it('serves /metrics in Prometheus text format', async () => {
    // The demo refreshes 10 s before expiry.
    const tokens = demo.fake!.login('usr-1', { sessionLifetimeSeconds: 5 })
    const cookie = cookies({
      cbo_session_token: tokens.sessionToken,
      cbo_refresh_token: tokens.refreshToken,
    })
    await fetch(`${demo.url}/api/session`, { headers: { cookie } })
    const families = await scrape(`${demo.url}/metrics`)
    expect(sampleValue(families, REFRESHES, { corbado_keepalive_outcome: 'refreshed' })).toBe(1)
    expect(families.map((family) => family.name)).toEqual([
      REFRESHES,
      'corbado_keepalive_refreshes_coalesced_total',
      'corbado_keepalive_sessions_ended_total',
      'corbado_keepalive_refresh_duration_seconds',
      'corbado_keepalive_circuit_state',
      'corbado_keepalive_token_cache_lookups_total',
    ])
  })
})
