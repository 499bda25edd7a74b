/**
 * The test server for Web-standard runtimes (Bun, Deno, workerd), bundled into one ESM file: the
 * shared routes behind `withCorbadoKeepAlive`, as a Workers module (`export default { fetch }`).
 *
 * Options cannot cross a process boundary as objects with functions, so the test process sends
 * them as JSON to `POST /__configure`, which starts a new keep-alive (a fresh app per test, one
 * runtime process per describe block); `GET /__stats` answers its counters.
 */
import { withCorbadoKeepAlive } from '../../src/fetch.js'
import type { KeepAliveFetchHandler, KeepAliveOptions } from '../../src/fetch.js'
import { fetchApp } from '../helpers/frameworks/fetch-routes.js'

/** What a launcher passes after the request: the client's address, when the runtime knows it. */
export interface Peer {
  readonly clientAddress?: string | undefined
}

let handler: KeepAliveFetchHandler<[Peer | undefined]> | undefined

async function serve(request: Request, peer?: Peer): Promise<Response> {
  const { pathname } = new URL(request.url)
  if (pathname === '/__configure' && request.method === 'POST') {
    const options = (await request.json()) as KeepAliveOptions<Request>
    handler = withCorbadoKeepAlive<[Peer | undefined]>(options, fetchApp({}), {
      clientAddress: (incoming, seen) =>
        seen?.clientAddress ?? incoming.headers.get('cf-connecting-ip') ?? undefined,
    })
    return new Response(null, { status: 204 })
  }
  if (handler === undefined) return new Response('not configured', { status: 503 })
  if (pathname === '/__stats') return Response.json(handler.stats())
  return handler(request, peer)
}

export default { fetch: serve }
