// The parts of runtime and framework types the docs' examples use, for runtimes and frameworks
// whose own types are not installed here. Each mirrors the real declaration's shape.
declare namespace Bun {
  interface SocketAddress {
    address: string
    port: number
  }
  interface Server {
    requestIP(request: Request): SocketAddress | null
  }
  function serve(options: {
    port?: number
    fetch(request: Request, server: Server): Response | Promise<Response>
  }): Server
}
declare namespace Deno {
  interface ServeHandlerInfo {
    remoteAddr: { hostname: string; port: number; transport: 'tcp' | 'udp' }
  }
  function serve(
    options: { port?: number },
    handler: (request: Request, info: ServeHandlerInfo) => Response | Promise<Response>,
  ): unknown
}
interface ExecutionContext {
  waitUntil(promise: Promise<unknown>): void
  passThroughOnException(): void
}
declare module 'react-router' {
  export interface ServerBuild {
    entry: unknown
  }
  export function createRequestHandler(
    build: ServerBuild | (() => ServerBuild | Promise<ServerBuild>),
    mode?: string,
  ): (request: Request, loadContext?: Record<string, unknown>) => Promise<Response>
}
declare module 'virtual:react-router/server-build' {
  export const entry: unknown
}
declare module '@sveltejs/kit' {
  export interface RequestEvent {
    request: Request
    locals: App.Locals
    getClientAddress(): string
  }
  export type Handle = (input: {
    event: RequestEvent
    resolve: (event: RequestEvent) => Promise<Response>
  }) => Response | Promise<Response>
}
declare module 'astro:middleware' {
  export interface APIContext {
    request: Request
    clientAddress: string
    locals: App.Locals
  }
  export function defineMiddleware(
    fn: (context: APIContext, next: () => Promise<Response>) => Promise<Response> | Response,
  ): unknown
}
// What an app declares in src/app.d.ts (SvelteKit) or src/env.d.ts (Astro).
declare namespace App {
  interface Locals {
    corbadoSession?: import('../../src/fetch.js').CorbadoSession | undefined
  }
}
