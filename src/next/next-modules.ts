/**
 * `next/server` and `next/headers`, loaded on first use: `corbado-keepalive/next` can be imported
 * where `next` is not installed (a tool listing the package's entries), and says what is missing
 * when it is used there.
 *
 * @module
 */

type NextServer = typeof import('next/server.js')
type NextHeaders = typeof import('next/headers.js')

let server: Promise<NextServer> | undefined
let headers: Promise<NextHeaders> | undefined

/** `next/server`, imported once. */
export function loadNextServer(): Promise<NextServer> {
  return (server ??= import('next/server.js').catch(missingNext))
}

/** `next/headers`, imported once. */
export function loadNextHeaders(): Promise<NextHeaders> {
  return (headers ??= import('next/headers.js').catch(missingNext))
}

function missingNext(error: unknown): never {
  throw new Error(
    'corbado-keepalive/next runs inside a Next.js app: the `next` package (15 or 16) could not be imported',
    { cause: error },
  )
}
