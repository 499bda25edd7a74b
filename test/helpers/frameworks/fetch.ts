import { createServer } from 'node:http'
import type { Http2Bindings, HttpBindings } from '@hono/node-server'
import { getRequestListener } from '@hono/node-server'
import { createFetchKeepAlive } from '../../../src/fetch.js'
import type { KeepAliveOptions } from '../../../src/fetch.js'
import { listen } from '../http.js'
import { fetchApp } from './fetch-routes.js'
import { wrap } from './harness.js'
import type { FrameworkHarness } from './harness.js'

/**
 * The fetch adapter on Node: a `node:http` server turning each request into a Web Request (with
 * Node's own Request and Response classes), the shared routes written with Web APIs.
 */
export function fetchOnNodeHarness(name: string): FrameworkHarness {
  return {
    name,
    async start(options, context = {}) {
      const keepAlive = createFetchKeepAlive(options as KeepAliveOptions<Request>)
      const app = fetchApp(context)
      const listener = getRequestListener(
        async (incoming, env: HttpBindings | Http2Bindings) => {
          const clientAddress = env.incoming.socket.remoteAddress
          const { request, finalize } = await keepAlive.handle(incoming, { clientAddress })
          return finalize(await app(request))
        },
        { overrideGlobalObjects: false },
      )
      const server = createServer((req, res) => {
        void listener(req, res)
      })
      return wrap(await listen(server), () => keepAlive.stats())
    },
  }
}
