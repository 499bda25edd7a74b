import { describe, expect, expectTypeOf, it } from 'vitest'
import * as root from '../../src/index.js'
import type * as Root from '../../src/index.js'
import type * as Express from '../../src/express.js'
import type * as Koa from '../../src/koa.js'
import type * as Fastify from '../../src/fastify.js'
import type * as Fetch from '../../src/fetch.js'
import type * as Hono from '../../src/hono.js'
import type * as Next from '../../src/next.js'

describe('the public surface', () => {
  it('the root entry exports no internals', () => {
    expect(Object.keys(root)).not.toContain('resolveOptions')
    const keepAlive = root.createKeepAlive({ projectId: 'pro-1' })
    expect(Object.keys(keepAlive).sort()).toEqual(['handle', 'stats'])
  })

  it('every entry that exports the options exports their parts, CircuitState included', () => {
    expectTypeOf<Root.CircuitState>().toEqualTypeOf<'closed' | 'open' | 'half-open'>()
    expectTypeOf<Express.CircuitState>().toEqualTypeOf<Root.CircuitState>()
    expectTypeOf<Koa.CircuitState>().toEqualTypeOf<Root.CircuitState>()
    expectTypeOf<Fastify.CircuitState>().toEqualTypeOf<Root.CircuitState>()
    expectTypeOf<Express.RefreshRateLimitOptions>().toEqualTypeOf<Root.RefreshRateLimitOptions>()
    expectTypeOf<Koa.RefreshRateLimitOptions>().toEqualTypeOf<Root.RefreshRateLimitOptions>()
    expectTypeOf<Fastify.RefreshRateLimitOptions>().toEqualTypeOf<Root.RefreshRateLimitOptions>()
    expectTypeOf<Express.TelemetryOptions>().toEqualTypeOf<Root.TelemetryOptions>()
    expectTypeOf<Koa.TelemetryOptions>().toEqualTypeOf<Root.TelemetryOptions>()
    expectTypeOf<Fastify.TelemetryOptions>().toEqualTypeOf<Root.TelemetryOptions>()
    expectTypeOf<Fetch.CircuitState>().toEqualTypeOf<Root.CircuitState>()
    expectTypeOf<Hono.CircuitState>().toEqualTypeOf<Root.CircuitState>()
    expectTypeOf<Next.CircuitState>().toEqualTypeOf<Root.CircuitState>()
    expectTypeOf<Fetch.RefreshRateLimitOptions>().toEqualTypeOf<Root.RefreshRateLimitOptions>()
    expectTypeOf<Hono.RefreshRateLimitOptions>().toEqualTypeOf<Root.RefreshRateLimitOptions>()
    expectTypeOf<Next.RefreshRateLimitOptions>().toEqualTypeOf<Root.RefreshRateLimitOptions>()
    expectTypeOf<Fetch.TelemetryOptions>().toEqualTypeOf<Root.TelemetryOptions>()
    expectTypeOf<Hono.TelemetryOptions>().toEqualTypeOf<Root.TelemetryOptions>()
    expectTypeOf<Next.TelemetryOptions>().toEqualTypeOf<Root.TelemetryOptions>()
  })

  it('middleware types are named <Framework>KeepAliveMiddleware; the old name is an alias', () => {
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- the alias is what is tested
    expectTypeOf<Express.KeepAliveMiddleware>().toEqualTypeOf<Express.ExpressKeepAliveMiddleware>()
    expectTypeOf<Koa.KoaKeepAliveMiddleware>().toHaveProperty('stats')
  })
})
