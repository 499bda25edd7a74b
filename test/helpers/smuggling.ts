/**
 * A request-smuggling attempt through a proxy's handling of `Connection`: a GET whose body is a
 * whole HTTP request of the attacker's, and whose `Connection` names the body's own framing header.
 * A proxy that removed that header after making its upstream request would send the body unframed,
 * and the upstream would read it as a second request.
 */
import { createServer } from 'node:http'
import { connect } from 'node:net'
import { listen } from './http.js'
import type { RunningServer } from './http.js'

/** The path of the request hidden in the body. */
export const SMUGGLED_PATH = '/SMUGGLED'
const SMUGGLED = `GET ${SMUGGLED_PATH} HTTP/1.1\r\nhost: attacker.test\r\n\r\n`

/** How the attacker's body is framed: the header its `Connection` then names. */
export type Framing = 'transfer-encoding' | 'content-length'

/**
 * Send it to `url` + `path` over a raw socket (no client library would send it) and resolve with
 * the response's status once its head has arrived.
 */
function sendSmugglingAttempt(url: string, path: string, framing: Framing): Promise<number> {
  const { hostname, port, host } = new URL(url)
  const body =
    framing === 'transfer-encoding'
      ? `${SMUGGLED.length.toString(16)}\r\n${SMUGGLED}\r\n0\r\n\r\n`
      : SMUGGLED
  const framingHeader =
    framing === 'transfer-encoding'
      ? 'transfer-encoding: chunked'
      : `content-length: ${SMUGGLED.length}`
  const head = [
    `GET ${path} HTTP/1.1`,
    `host: ${host}`,
    `connection: keep-alive, ${framing}`,
    framingHeader,
  ].join('\r\n')
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname)
    let received = ''
    socket.setEncoding('latin1')
    socket.on('data', (chunk: string) => {
      received += chunk
      const status = /^HTTP\/1\.1 (\d{3})/.exec(received)
      if (status !== null && received.includes('\r\n\r\n')) {
        socket.destroy()
        resolve(Number(status[1]))
      }
    })
    socket.on('error', reject)
    socket.write(`${head}\r\n\r\n${body}`)
  })
}

/** An upstream that records each request's path and the body it read for it, and answers 200. */
async function startRecordingUpstream(): Promise<
  RunningServer & { readonly seen: { path: string; body: string }[] }
> {
  const seen: { path: string; body: string }[] = []
  const server = await listen(
    createServer((req, res) => {
      let body = ''
      req.setEncoding('latin1')
      req.on('data', (chunk: string) => {
        body += chunk
      })
      req.on('end', () => {
        seen.push({ path: req.url ?? '', body })
        res.setHeader('content-type', 'application/json')
        res.end('{}')
      })
    }),
  )
  return { ...server, seen }
}

/** The attacker's body, as the upstream reads it when its framing was kept: one request's body. */
export const SMUGGLED_BODY = SMUGGLED

/**
 * Make the attempt on `path` of the server `serve` starts (resolving with its URL) in front of a
 * recording upstream: the status answered, and each request the upstream read, once a smuggled
 * one would have been answered too.
 */
export async function smuggleThrough(
  serve: (upstreamUrl: string) => Promise<string>,
  path: string,
  framing: Framing,
): Promise<{ status: number; seen: { path: string; body: string }[] }> {
  const upstream = await startRecordingUpstream()
  try {
    const status = await sendSmugglingAttempt(await serve(upstream.url), path, framing)
    // A smuggled request would be answered after the first one: give it the time.
    await new Promise((resolve) => setTimeout(resolve, 200))
    return { status, seen: [...upstream.seen] }
  } finally {
    await upstream.close()
  }
}
