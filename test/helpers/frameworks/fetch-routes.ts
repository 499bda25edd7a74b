/**
 * The shared routes (see {@link TestApp}) written with Web `Request`/`Response` only, for the
 * fetch adapter: on Node in-process, and bundled into the Bun, Deno and workerd servers. Imports
 * nothing from `node:`.
 */
import { getCorbadoSession } from '../../../src/fetch.js'
import type { AppContext, SeenByDownstream } from './harness.js'
import { describeSession, headerPairs, sessionCookieIn, WRITE_HEAD_ARRAY } from './harness.js'

type Route = (request: Request, context: AppContext) => Response | Promise<Response>

const ROUTES: Readonly<Record<string, Route>> = {
  '/session': (request) =>
    Response.json({
      session: describeSession(getCorbadoSession(request)),
      cookie: request.headers.get('cookie'),
    } satisfies SeenByDownstream),
  '/logout': () =>
    new Response('bye', {
      headers: {
        'Set-Cookie': 'cbo_session_token=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT',
      },
    }),
  '/downstream-cookies': () => {
    const headers = new Headers([
      ['Set-Cookie', 'c=3'],
      ['Set-Cookie', 'd=4'],
    ])
    headers.append('Set-Cookie', 'a=1; Path=/')
    headers.append('Set-Cookie', 'b=2')
    return Response.json({ ok: true }, { headers })
  },
  // Response.redirect() has immutable headers.
  '/redirect': (request) => Response.redirect(new URL('/session', request.url).href, 302),
  '/stream': () => {
    let i = 0
    let timer: ReturnType<typeof setInterval> | undefined
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        const encoder = new TextEncoder()
        timer = setInterval(() => {
          controller.enqueue(encoder.encode(`chunk ${i}\n`))
          if (++i === 3) {
            clearInterval(timer)
            controller.close()
          }
        }, 5)
      },
      cancel() {
        clearInterval(timer)
      },
    })
    return new Response(body, { headers: { 'content-type': 'text/plain' } })
  },
  '/write-head': () =>
    new Response('raw', {
      status: 200,
      headers: { 'Set-Cookie': 'w=1', 'Content-Type': 'text/plain' },
    }),
  '/write-head-array': () => new Response('raw', { headers: headerPairs(WRITE_HEAD_ARRAY) }),
  '/throws': () => {
    throw new Error('downstream failed')
  },
  '/cacheable': () =>
    new Response('cached', {
      headers: { 'Cache-Control': 'public, max-age=60', Vary: 'Accept-Encoding' },
    }),
  '/validate': async (request, context) => {
    const token = sessionCookieIn(request.headers.get('cookie') ?? undefined)
    if (token === undefined || context.validateToken === undefined) {
      return Response.json({ error: 'no session' }, { status: 401 })
    }
    return Response.json(await context.validateToken(token))
  },
}

/**
 * The app behind the keep-alive: the shared routes, with the error boundary a framework would
 * have (a route that throws answers 500).
 */
export function fetchApp(context: AppContext): (request: Request) => Promise<Response> {
  return async (request) => {
    const route = ROUTES[new URL(request.url).pathname]
    if (route === undefined) return new Response('not found', { status: 404 })
    try {
      return await route(request, context)
    } catch (error) {
      return Response.json({ error: (error as Error).message }, { status: 500 })
    }
  }
}
