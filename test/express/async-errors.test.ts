/**
 * The Express adapter when its continuation throws after a refresh (a framework whose `next`
 * does not catch what downstream throws): the error goes to `next(error)`, never to an
 * unhandled rejection.
 */
import { createServer } from 'node:http'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { corbadoKeepAlive } from '../../src/express.js'
import { startFakeCorbado } from '../../src/testing/index.js'
import type { FakeCorbado } from '../../src/testing/index.js'
import { listen } from '../helpers/http.js'
import { nearExpirySession } from '../helpers/sessions.js'

let fake: FakeCorbado
beforeAll(async () => {
  fake = await startFakeCorbado()
})
afterAll(async () => {
  await fake.close()
})

it('a throw in the continuation after a refresh reaches next(error), not an unhandled rejection', async () => {
  const unhandled: unknown[] = []
  const onUnhandled = (reason: unknown) => unhandled.push(reason)
  process.on('unhandledRejection', onUnhandled)
  try {
    const middleware = corbadoKeepAlive({ projectId: fake.projectId, frontendApiUrl: fake.url })
    const server = createServer((req: IncomingMessage, res: ServerResponse) => {
      let calls = 0
      middleware(req, res, (error?: unknown) => {
        calls++
        if (calls === 1 && error === undefined) throw new Error('downstream threw')
        res.statusCode = 500
        res.end(error instanceof Error ? error.message : 'no error')
      })
    })
    const app = await listen(server)
    try {
      const response = await fetch(`${app.url}/`, {
        headers: { cookie: nearExpirySession(fake, 'usr-3').header },
      })
      expect(response.status).toBe(500)
      expect(await response.text()).toBe('downstream threw')
      await new Promise((resolve) => setTimeout(resolve, 20))
      expect(unhandled).toEqual([])
    } finally {
      await app.close()
    }
  } finally {
    process.off('unhandledRejection', onUnhandled)
  }
})
