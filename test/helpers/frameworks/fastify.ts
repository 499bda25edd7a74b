import { PassThrough } from 'node:stream'
import fastifyCookie from '@fastify/cookie'
import type fastify5 from 'fastify'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { corbadoKeepAlive } from '../../../src/fastify.js'
import type { FastifyKeepAliveOptions } from '../../../src/fastify.js'
import { describeSession, wrap } from './harness.js'
import type { FrameworkHarness, SeenByDownstream } from './harness.js'

/**
 * The harness for one Fastify major: the shared routes written with Fastify's API, on a server
 * from `app.listen`. `@fastify/cookie` is registered before the keep-alive, so its jar is parsed
 * before the token is refreshed and must be rewritten too (`GET /validate` reads it).
 */
export function fastifyHarness(
  name: string,
  fastify: typeof fastify5,
  cookiePlugin: typeof fastifyCookie,
): FrameworkHarness {
  return {
    name,
    async start(options, context = {}) {
      const app = fastify()
      await app.register(cookiePlugin)
      await app.register(corbadoKeepAlive, options as FastifyKeepAliveOptions)
      app.get('/session', (request: FastifyRequest) => {
        return {
          session: describeSession(request.corbadoSession),
          cookie: request.headers.cookie ?? null,
        } satisfies SeenByDownstream
      })
      app.get('/logout', (_request, reply: FastifyReply) => {
        reply.clearCookie('cbo_session_token', { path: '/' })
        return 'bye'
      })
      app.get('/downstream-cookies', (_request, reply: FastifyReply) => {
        reply.header('Set-Cookie', ['c=3', 'd=4'])
        reply.setCookie('a', '1')
        reply.header('Set-Cookie', 'b=2')
        return { ok: true }
      })
      app.get('/redirect', (_request, reply: FastifyReply) => reply.redirect('/session'))
      app.get('/stream', (_request, reply: FastifyReply) => {
        const body = new PassThrough()
        let i = 0
        const timer = setInterval(() => {
          body.write(`chunk ${i}\n`)
          if (++i === 3) {
            clearInterval(timer)
            body.end()
          }
        }, 5)
        return reply.type('text/plain').send(body)
      })
      app.get('/write-head', (_request, reply: FastifyReply) => {
        reply.hijack()
        reply.raw.writeHead(200, { 'Set-Cookie': 'w=1', 'Content-Type': 'text/plain' })
        reply.raw.end('raw')
      })
      app.get('/throws', () => {
        throw new Error('downstream failed')
      })
      app.get('/cacheable', (_request, reply: FastifyReply) => {
        reply.header('Cache-Control', 'public, max-age=60').header('Vary', 'Accept-Encoding')
        return 'cached'
      })
      app.get('/validate', async (request: FastifyRequest, reply: FastifyReply) => {
        const token = request.cookies.cbo_session_token
        if (token === undefined || context.validateToken === undefined) {
          return reply.code(401).send({ error: 'no session' })
        }
        return context.validateToken(token)
      })
      const url = await app.listen({ port: 0, host: '127.0.0.1' })
      const close = async () => {
        app.server.closeAllConnections()
        await app.close()
      }
      return wrap({ url, close }, () => app.corbadoKeepAlive.stats())
    },
  }
}
