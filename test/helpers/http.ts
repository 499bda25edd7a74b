import type { AddressInfo } from 'node:net'
import type { Server } from 'node:http'

/** A server listening on 127.0.0.1 at an ephemeral port. */
export interface RunningServer {
  readonly url: string
  close(): Promise<void>
}

/** Listen on 127.0.0.1:0 and return the URL. */
export async function listen(server: Server): Promise<RunningServer> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => {
          resolve()
        })
      }),
  }
}

/** A Cookie header from name → value pairs. */
export function cookies(jar: Record<string, string | undefined>): string {
  return Object.entries(jar)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([name, value]) => `${name}=${value}`)
    .join('; ')
}

/** The Set-Cookie of `name` in a response, if any. */
export function setCookieOf(response: Response, name: string): string | undefined {
  return response.headers.getSetCookie().find((cookie) => cookie.startsWith(`${name}=`))
}

/** The value a Set-Cookie string sets. */
export function valueOf(setCookie: string | undefined): string | undefined {
  if (setCookie === undefined) return undefined
  const pair = setCookie.split(';')[0] ?? ''
  return pair.slice(pair.indexOf('=') + 1)
}

/** The claims of a JWT, decoded without verification (tests only). */
export function claimsOf(token: string): Record<string, unknown> {
  const payload = token.split('.')[1] ?? ''
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>
}
