/**
 * The Next.js proxy as the bench measures it: the proxy function Next calls for each request,
 * given a `NextRequest` built from the incoming one, on Node's HTTP server. Next's own router
 * and render are left out, so the ratio is that of the proxy step alone: a pass-through proxy
 * (`NextResponse.next()`) against `corbadoKeepAlive`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { getRequestListener } from '@hono/node-server'
import { NextRequest, NextResponse } from 'next/server.js'
import type { KeepAliveOptions } from '../src/next.js'

type Listener = (req: IncomingMessage, res: ServerResponse) => Promise<void>

/** The `NextRequest` Next gives a proxy: built from the URL and the request's init, as Next does. */
function nextRequestOf(request: Request): NextRequest {
  return new NextRequest(request.url, { method: request.method, headers: request.headers })
}

/** `proxy.ts` that lets every request through. */
export function nextPassThrough(): Listener {
  const proxy = (_request: NextRequest): Response => NextResponse.next()
  return getRequestListener((request) => proxy(nextRequestOf(request)))
}

/** `proxy.ts` holding `export default corbadoKeepAlive(options)`. */
export async function nextKeepAlive(options: KeepAliveOptions<Request>): Promise<Listener> {
  const { corbadoKeepAlive } = await import('../src/next.js')
  const proxy = corbadoKeepAlive(options)
  return getRequestListener((request) => proxy(nextRequestOf(request)))
}
