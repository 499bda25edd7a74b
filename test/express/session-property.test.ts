import { createServer } from 'node:http'
import type { IncomingMessage, ServerResponse } from 'node:http'
import express5 from 'express'
import express4 from 'express4'
import type { NextFunction, Request, Response } from 'express'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { corbadoKeepAlive } from '../../src/express.js'
import { startFakeCorbado } from '../../src/testing/index.js'
import type { FakeCorbado } from '../../src/testing/index.js'
import { listen } from '../helpers/http.js'

let fake: FakeCorbado

beforeAll(async () => {
  fake = await startFakeCorbado()
})
afterAll(async () => {
  await fake.close()
})

describe.each([
  { name: 'Express 4', express: express4 },
  { name: 'Express 5', express: express5 },
])('$name: req.corbadoSession', ({ express }) => {
  async function get(app: ReturnType<typeof express5>, cookie?: string): Promise<unknown> {
    const server = await listen(createServer(app))
    try {
      const response = await fetch(server.url, cookie === undefined ? {} : { headers: { cookie } })
      return await response.json()
    } finally {
      await server.close()
    }
  }

  it('is each request’s own session, read the same way as a property, and not an own key', async () => {
    const app = express()
    app.use(corbadoKeepAlive({ projectId: fake.projectId, frontendApiUrl: fake.url }))
    app.get('/', (req: Request, res: Response) => {
      res.json({
        userId: req.corbadoSession?.userId ?? null,
        inRequest: 'corbadoSession' in req,
        ownKey: Object.keys(req).includes('corbadoSession'),
      })
    })
    const a = fake.login('usr-1', { sessionLifetimeSeconds: 3600 })
    const b = fake.login('usr-2', { sessionLifetimeSeconds: 3600 })
    expect(await get(app, `cbo_session_token=${a.sessionToken}`)).toEqual({
      userId: 'usr-1',
      inRequest: true,
      ownKey: false,
    })
    expect(await get(app, `cbo_session_token=${b.sessionToken}`)).toMatchObject({ userId: 'usr-2' })
    expect(await get(app)).toMatchObject({ userId: null })
  })

  it('can be replaced and cleared by later middleware, per request', async () => {
    const app = express()
    app.use(corbadoKeepAlive({ projectId: fake.projectId, frontendApiUrl: fake.url }))
    app.use((req: Request, _res: Response, next: NextFunction) => {
      if (req.query.clear !== undefined) req.corbadoSession = undefined
      next()
    })
    app.get('/', (req: Request, res: Response) => {
      res.json({ userId: req.corbadoSession?.userId ?? null })
    })
    const { sessionToken } = fake.login('usr-3', { sessionLifetimeSeconds: 3600 })
    const server = await listen(createServer(app))
    try {
      const headers = { cookie: `cbo_session_token=${sessionToken}` }
      const cleared = await fetch(`${server.url}/?clear`, { headers })
      const kept = await fetch(server.url, { headers })
      expect(await cleared.json()).toEqual({ userId: null })
      expect(await kept.json()).toEqual({ userId: 'usr-3' })
    } finally {
      await server.close()
    }
  })

  it('reaches the routes of a mounted sub-app', async () => {
    const app = express()
    const sub = express()
    sub.get('/', (req: Request, res: Response) => {
      res.json({ userId: req.corbadoSession?.userId ?? null })
    })
    app.use(corbadoKeepAlive({ projectId: fake.projectId, frontendApiUrl: fake.url }))
    app.use('/sub', sub)
    const { sessionToken } = fake.login('usr-4', { sessionLifetimeSeconds: 3600 })
    const server = await listen(createServer(app))
    try {
      const response = await fetch(`${server.url}/sub`, {
        headers: { cookie: `cbo_session_token=${sessionToken}` },
      })
      expect(await response.json()).toEqual({ userId: 'usr-4' })
    } finally {
      await server.close()
    }
  })

  it('stays after a sub-app that ran the middleware hands the request back to its parent', async () => {
    const app = express()
    const sub = express()
    sub.use(corbadoKeepAlive({ projectId: fake.projectId, frontendApiUrl: fake.url }))
    app.use(sub)
    app.get('/', (req: Request, res: Response) => {
      res.json({ userId: req.corbadoSession?.userId ?? null })
    })
    const { sessionToken } = fake.login('usr-6', { sessionLifetimeSeconds: 3600 })
    expect(await get(app, `cbo_session_token=${sessionToken}`)).toEqual({ userId: 'usr-6' })
  })

  it('stays when the request is handed to another app', async () => {
    const other = express()
    other.get('/', (req: Request, res: Response) => {
      res.json({ userId: req.corbadoSession?.userId ?? null })
    })
    const app = express()
    app.use(corbadoKeepAlive({ projectId: fake.projectId, frontendApiUrl: fake.url }))
    app.use((req: Request, res: Response) => {
      other(req, res)
    })
    const { sessionToken } = fake.login('usr-7', { sessionLifetimeSeconds: 3600 })
    expect(await get(app, `cbo_session_token=${sessionToken}`)).toEqual({ userId: 'usr-7' })
  })
})

describe('plain node:http: req.corbadoSession', () => {
  it('is set on the request', async () => {
    const middleware = corbadoKeepAlive({ projectId: fake.projectId, frontendApiUrl: fake.url })
    const server = await listen(
      createServer((req: IncomingMessage, res: ServerResponse) => {
        middleware(req, res, () => {
          const session = (req as IncomingMessage & { corbadoSession?: { userId: string } })
            .corbadoSession
          res.end(JSON.stringify({ userId: session?.userId ?? null }))
        })
      }),
    )
    try {
      const { sessionToken } = fake.login('usr-5', { sessionLifetimeSeconds: 3600 })
      const response = await fetch(server.url, {
        headers: { cookie: `cbo_session_token=${sessionToken}` },
      })
      expect(await response.json()).toEqual({ userId: 'usr-5' })
    } finally {
      await server.close()
    }
  })
})
