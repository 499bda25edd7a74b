import express5 from 'express'
import express4 from 'express4'
import fastify5 from 'fastify'
import fastify4 from 'fastify4'
import fastifyCookie11 from '@fastify/cookie'
import fastifyCookie9 from 'fastify-cookie9'
import Koa3 from 'koa'
import Koa2 from 'koa2'
import { expressHarness } from './frameworks/express.js'
import { fastifyHarness } from './frameworks/fastify.js'
import { koaHarness } from './frameworks/koa.js'
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
  fastifyHarness('Fastify 4', fastify4, fastifyCookie9),
  fastifyHarness('Fastify 5', fastify5, fastifyCookie11),
]
