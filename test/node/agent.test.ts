import { createServer, request } from 'node:http'
import type { Agent, OutgoingHttpHeaders } from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import { keepAliveAgent } from '../../src/node/agent.js'
import { listen } from '../helpers/http.js'
import type { RunningServer } from '../helpers/http.js'

let server: RunningServer | undefined
let agent: Agent | undefined
afterEach(async () => {
  agent?.destroy()
  await server?.close()
  server = undefined
})

/**
 * A server whose connections stay open until the client closes them, answering with `headers`;
 * resolves with its URL and, per connection, when the client closed it.
 */
async function startServer(headers: OutgoingHttpHeaders) {
  let closed: (at: number) => void = () => undefined
  const clientClosed = new Promise<number>((resolve) => (closed = resolve))
  const http = createServer((_req, res) => {
    res.writeHead(200, { 'content-length': '2', ...headers })
    res.end('ok')
  })
  // Node's own 5 s idle close would hide the agent's.
  http.keepAliveTimeout = 60_000
  http.on('connection', (socket) => {
    socket.once('end', () => {
      closed(Date.now())
    })
  })
  server = await listen(http)
  return { url: server.url, clientClosed }
}

function get(url: string, pool: Agent): Promise<void> {
  return new Promise((resolve, reject) => {
    request(url, { agent: pool }, (res) => {
      res.resume()
      res.on('end', resolve)
    })
      .on('error', reject)
      .end()
  })
}

function within<T>(promise: Promise<T>, ms: number): Promise<T | 'still open'> {
  return Promise.race([
    promise,
    new Promise<'still open'>((resolve) => {
      setTimeout(() => {
        resolve('still open')
      }, ms)
    }),
  ])
}

describe('keepAliveAgent', () => {
  it('closes a pooled connection idle for idleTimeoutMs', async () => {
    const { url, clientClosed } = await startServer({})
    agent = keepAliveAgent(new URL(url), 200)
    await get(url, agent)
    const idleSince = Date.now()
    const closedAt = await within(clientClosed, 2_000)
    expect(closedAt).not.toBe('still open')
    expect(Number(closedAt) - idleSince).toBeGreaterThanOrEqual(150)
  })

  it('closes it sooner when the server announces a shorter Keep-Alive: timeout=', async () => {
    const { url, clientClosed } = await startServer({ 'keep-alive': 'timeout=2' })
    agent = keepAliveAgent(new URL(url))
    await get(url, agent)
    const idleSince = Date.now()
    // Node lets go a second before the announced 2 s.
    const closedAt = await within(clientClosed, 3_000)
    expect(closedAt).not.toBe('still open')
    expect(Number(closedAt) - idleSince).toBeLessThan(2_000)
  })

  it('leaves connecting to the request: the idle timeout is not armed on a new socket', async () => {
    const { url } = await startServer({})
    agent = keepAliveAgent(new URL(url), 200)
    const timeout = await new Promise<number | undefined>((resolve, reject) => {
      const req = request(url, { agent }, (res) => res.resume())
      req.on('socket', (socket) => {
        resolve(socket.timeout)
      })
      req.on('error', reject)
      req.end()
    })
    expect(timeout ?? 0).toBe(0)
  })
})
