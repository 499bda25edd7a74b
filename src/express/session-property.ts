/**
 * `req.corbadoSession` on Express requests, without adding a property to each of them.
 *
 * Express re-prototypes every request (`Object.setPrototypeOf(req, app.request)`), and V8 gives
 * each re-prototyped object a hidden class of its own as soon as a property is added to it: a store
 * of `req.corbadoSession` costs a new hidden class on every request. A `WeakMap` behind an accessor
 * costs a fraction of that and reads the same. The accessor sits on `IncomingMessage.prototype`,
 * which every Express app's request prototype (a mounted app's, or another app the request is
 * handed to) inherits from; it is installed the first time a re-prototyped request is seen, so a
 * plain `node:http` server's requests keep an own property and its prototype stays untouched.
 *
 * @module
 */
import { IncomingMessage } from 'node:http'
import type { CorbadoSession } from '../core/types.js'

const sessions = new WeakMap<object, CorbadoSession | undefined>()
const accessor = {
  configurable: true,
  enumerable: false,
  get(this: object): CorbadoSession | undefined {
    return sessions.get(this)
  },
  set(this: object, session: CorbadoSession | undefined): void {
    sessions.set(this, session)
  },
}
/** Whether this copy of the module installed the accessor; another copy's reads its own map. */
let ours: boolean | undefined

/** Set `req.corbadoSession`. */
export function setSession(req: IncomingMessage, session: CorbadoSession | undefined): void {
  // Node's own requests are not re-prototyped: until an Express request was seen, a plain
  // property is the cheapest.
  if (ours === undefined && Object.getPrototypeOf(req) === IncomingMessage.prototype) {
    ;(req as IncomingMessage & { corbadoSession?: CorbadoSession }).corbadoSession = session
    return
  }
  ours ??= install()
  if (ours) sessions.set(req, session)
  else (req as IncomingMessage & { corbadoSession?: CorbadoSession }).corbadoSession = session
}

function install(): boolean {
  const existing = Object.getOwnPropertyDescriptor(IncomingMessage.prototype, 'corbadoSession')
  // Another copy of this package (its CommonJS and ESM builds, both loaded) installed one: its
  // setter keeps the session where its getter reads it.
  if (existing !== undefined) return existing.get === accessor.get
  Object.defineProperty(IncomingMessage.prototype, 'corbadoSession', accessor)
  return true
}
