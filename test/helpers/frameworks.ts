import express5 from 'express'
import express4 from 'express4'
import fastify5 from 'fastify'
import fastify4 from 'fastify4'
import fastifyCookie11 from '@fastify/cookie'
import fastifyCookie9 from 'fastify-cookie9'
import Koa3 from 'koa'
import Koa2 from 'koa2'
import { expressHarness } from './frameworks/express.js'
import { fetchOnNodeHarness } from './frameworks/fetch.js'
import { honoHarness } from './frameworks/hono.js'
import { fastifyHarness } from './frameworks/fastify.js'
import { koaHarness } from './frameworks/koa.js'
import { launchBun, launchDeno, launchWorkerd, runtimeHarness } from './frameworks/runtimes.js'
import type { FrameworkHarness } from './frameworks/harness.js'

export type {
  AppContext,
  FrameworkHarness,
  SeenByDownstream,
  TestApp,
} from './frameworks/harness.js'

/** Every framework major the shared scenarios run on. */
export const FRAMEWORKS: readonly FrameworkHarness[] = [
  expressHarness('Express 4', express4),
  expressHarness('Express 5', express5),
  koaHarness('Koa 2', Koa2),
  koaHarness('Koa 3', Koa3),
  honoHarness('Hono 4'),
  fetchOnNodeHarness('fetch on Node'),
  fastifyHarness('Fastify 4', fastify4, fastifyCookie9),
  fastifyHarness('Fastify 5', fastify5, fastifyCookie11),
]

/**
 * The fetch adapter on runtimes other than Node, each in its own process (one per describe
 * block), fed options as JSON. Suites that need options holding functions (hooks, a logger,
 * `getRefreshToken`) or an in-process app context run on {@link FRAMEWORKS} only:
 * observability (logger and hooks), interop (`validateToken` in the app), the circuit breaker
 * (`onCircuitChange`), `getRefreshToken` in the cookie suite, and the client address (each Node
 * framework's trust-proxy handling). docs/frameworks.md lists them.
 */
export const RUNTIMES: readonly FrameworkHarness[] = [
  runtimeHarness('Bun', launchBun),
  runtimeHarness('Deno', launchDeno),
  runtimeHarness('workerd', launchWorkerd),
]

/** Every framework and every runtime: the suites that need nothing in-process. */
export const EVERYWHERE: readonly FrameworkHarness[] = [...FRAMEWORKS, ...RUNTIMES]
