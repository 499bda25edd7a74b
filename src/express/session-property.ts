/**
 * `req.corbadoSession` on Express requests, without adding a property to each of them.
 *
 * Express re-prototypes every request (`Object.setPrototypeOf(req, app.request)`), and V8 gives
 * each re-prototyped object a map of its own as soon as a property is added to it: a store of
 * `req.corbadoSession` costs a new hidden class, about 1.5 µs, on every request. An accessor on the
 * app's request prototype, backed by a `WeakMap`, costs a fraction of that and reads the same.
 *
 * @module
 */
import { IncomingMessage } from 'node:http'
import type { CorbadoSession } from '../core/types.js'

const sessions = new WeakMap<object, CorbadoSession | undefined>()
const accessor: PropertyDescriptor = {
  configurable: true,
  enumerable: false,
  get(this: object) {
    return sessions.get(this)
  },
  set(this: object, session: CorbadoSession | undefined) {
    sessions.set(this, session)
  },
}
let lastPrototype: object | null = null
let lastHasAccessor = false

/** Set `req.corbadoSession`. */
export function setSession(req: IncomingMessage, session: CorbadoSession | undefined): void {
  const prototype = Object.getPrototypeOf(req) as object | null
  if (prototype !== lastPrototype) {
    lastPrototype = prototype
    lastHasAccessor = prototype !== null && ownsAccessor(prototype)
  }
  if (lastHasAccessor) sessions.set(req, session)
  else (req as IncomingMessage & { corbadoSession?: CorbadoSession }).corbadoSession = session
}

/**
 * Whether requests of `prototype` read `corbadoSession` through the accessor, installing it on an
 * Express app's request prototype (the one with its own `app`) the first time. Any other
 * prototype, `node:http`'s own included, is left as it is: its requests get a plain property.
 */
function ownsAccessor(prototype: object): boolean {
  const own = Object.getOwnPropertyDescriptor(prototype, 'corbadoSession')
  if (own !== undefined) return own.get === accessor.get
  if (prototype === IncomingMessage.prototype || !Object.hasOwn(prototype, 'app')) return false
  Object.defineProperty(prototype, 'corbadoSession', accessor)
  return true
}
