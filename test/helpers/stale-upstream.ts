/**
 * An upstream that closes idle keep-alive connections without a `Keep-Alive: timeout=` hint, as
 * nginx and load balancers do, timed to lose the race every time: each connection answers its
 * first request and is closed as the next request arrives on it.
 */
import { createServer } from 'node:net'
import type { AddressInfo, Socket } from 'node:net'

/** A running {@link startStaleUpstream}. */
export interface StaleUpstream {
  readonly url: string
  /** `METHOD path` of every request whose head arrived, the dropped ones included. */
  readonly requests: string[]
  /** Connections accepted so far. */
  connections(): number
  close(): Promise<void>
}

/** Start it; each answer is written `delayMs` after its request arrived. */
export async function startStaleUpstream(delayMs = 0): Promise<StaleUpstream> {
  const requests: string[] = []
  const sockets = new Set<Socket>()
  let accepted = 0
  const server = createServer((socket) => {
    const connection = ++accepted
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
    socket.on('error', () => undefined)
    let buffered = Buffer.alloc(0)
    let answered = 0
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk])
      for (;;) {
        const end = buffered.indexOf('\r\n\r\n')
        if (end === -1) return
        const head = buffered.subarray(0, end).toString('latin1')
        const [method = '', path = ''] = (head.split('\r\n')[0] ?? '').split(' ')
        if (answered > 0) {
          requests.push(`${method} ${path}`)
          socket.destroy()
          return
        }
        const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0)
        if (buffered.length < end + 4 + length) return
        requests.push(`${method} ${path}`)
        buffered = buffered.subarray(end + 4 + length)
        answered++
        const body = JSON.stringify({ connection, method, path })
        setTimeout(() => {
          socket.write(
            'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n' +
              `content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
          )
        }, delayMs)
      }
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    connections: () => accepted,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => {
          resolve()
        })
      }),
  }
}
