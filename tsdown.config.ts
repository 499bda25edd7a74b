import { defineConfig } from 'tsdown'

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    express: 'src/express.ts',
    koa: 'src/koa.ts',
    fetch: 'src/fetch.ts',
    hono: 'src/hono.ts',
    fastify: 'src/fastify.ts',
    next: 'src/next.ts',
    redis: 'src/redis.ts',
    gateway: 'src/gateway.ts',
    testing: 'src/testing/index.ts',
    cli: 'src/cli.ts',
  },
  format: ['esm', 'cjs'],
  platform: 'node',
  target: 'node20.19',
  dts: true,
  sourcemap: true,
  clean: true,
  // The exports map in package.json is written by hand, so parallel builds never rewrite it.
  exports: false,
})
