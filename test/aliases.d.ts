// Second majors of the frameworks, installed under npm aliases so one run tests both.
declare module 'express4' {
  import express from 'express'
  export default express
}
declare module 'koa2' {
  import Koa from 'koa'
  export default Koa
}
// Fastify 4 ships its own types; the harness drives both majors through Fastify 5's.
declare module 'fastify4' {
  import fastify from 'fastify'
  export default fastify
}
declare module 'fastify-cookie9' {
  import fastifyCookie from '@fastify/cookie'
  export default fastifyCookie
}
