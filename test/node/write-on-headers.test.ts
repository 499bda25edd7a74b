import { createServer } from 'node:http'
import type { ServerResponse } from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import { writeOnHeaders } from '../../src/node/write-on-headers.js'
import { listen } from '../helpers/http.js'
import type { RunningServer } from '../helpers/http.js'

const OURS = ['cbo_session_token=new; Path=/']

let server: RunningServer | undefined
afterEach(async () => {
  await server?.close()
  server = undefined
})

/** Answer one request on bare `node:http` with `respond`, our cookie armed first. */
async function answer(respond: (res: ServerResponse) => void): Promise<Response> {
  server = await listen(
    createServer((_req, res) => {
      writeOnHeaders(res, OURS)
      respond(res)
    }),
  )
  return fetch(server.url)
}

const PUBLIC = {
  'cache-control': 'public, max-age=3600',
  'cdn-cache-control': 'max-age=3600',
  'surrogate-control': 'max-age=3600',
}

describe('writeOnHeaders on bare node:http: every way of writing headers ends private', () => {
  it.each<[string, (res: ServerResponse) => void]>([
    [
      'writeHead with [name, value, …]',
      (res) => {
        res.writeHead(200, [
          ...Object.entries(PUBLIC).flat(),
          'Set-Cookie',
          'w=1',
          'Set-Cookie',
          'x=2',
        ])
        res.end('body')
      },
    ],
    [
      'writeHead with [[name, value], …]',
      (res) => {
        const pairs = [...Object.entries(PUBLIC), ['Set-Cookie', 'w=1'], ['Set-Cookie', 'x=2']]
        ;(res.writeHead as (status: number, headers: unknown) => ServerResponse)(200, pairs)
        res.end('body')
      },
    ],
    [
      'writeHead with a reason and an object',
      (res) => {
        res.writeHead(200, 'Fine', { ...PUBLIC, 'set-cookie': ['w=1', 'x=2'] })
        res.end('body')
      },
    ],
    [
      'setHeader with arrays, then flushHeaders and a stream',
      (res) => {
        for (const [name, value] of Object.entries(PUBLIC)) res.setHeader(name, [value])
        res.setHeader('set-cookie', ['w=1', 'x=2'])
        res.flushHeaders()
        res.write('bo')
        setTimeout(() => res.end('dy'), 5)
      },
    ],
  ])('%s', async (_, respond) => {
    const response = await answer(respond)
    expect(response.headers.getSetCookie()).toEqual(['w=1', 'x=2', ...OURS])
    expect(response.headers.get('cache-control')).toBe('private, no-store')
    expect(response.headers.get('vary')).toBe('Cookie')
    expect(response.headers.get('cdn-cache-control')).toBeNull()
    expect(response.headers.get('surrogate-control')).toBeNull()
    expect(await response.text()).toBe('body')
  })

  it('an odd-length header array is refused by Node as without the keep-alive', async () => {
    let thrown: unknown
    const response = await answer((res) => {
      try {
        res.writeHead(200, ['Cache-Control'])
      } catch (error) {
        thrown = error
      }
      res.end('after')
    })
    expect((thrown as { code?: string }).code).toBe('ERR_INVALID_ARG_VALUE')
    expect(response.headers.getSetCookie()).toEqual(OURS)
  })
})
