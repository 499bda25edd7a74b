// Second majors of the frameworks, installed under npm aliases so one run tests both.
declare module 'express4' {
  import express from 'express'
  export default express
}
declare module 'koa2' {
  import Koa from 'koa'
  export default Koa
}
