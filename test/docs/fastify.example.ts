import Fastify from 'fastify'
import { corbadoKeepAlive } from '../../src/fastify.js'

const app = Fastify({ trustProxy: true }) // request.ip: the client behind your load balancer
await app.register(corbadoKeepAlive, { projectId: 'pro-1234567890' })

app.get('/me', (request) => {
  const session = request.corbadoSession // CorbadoSession | undefined, typed
  return { userId: session?.userId ?? null, refreshed: session?.refreshed ?? false }
})
await app.listen({ port: 3000 })
