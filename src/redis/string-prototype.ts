/**
 * Undoing what loading ioredis 6 does to V8's `String.prototype`.
 *
 * ioredis 6 defines `class VerbatimString extends String` as it loads. V8 then keeps
 * `String.prototype` in dictionary mode: it makes a prototype fast again only when a property is
 * looked up through it from an object, which code that calls methods on strings never does. Until
 * then optimised code cannot inline a method of a string, so every `str.charCodeAt(i)`,
 * `str.indexOf(…)` or `str.slice(…)` in the process is a generic property load. A Koa request
 * on the keep-alive's hot path took 8 % more instructions (102k instead of 94k, counted as
 * bench/INSTRUCTIONS.md counts them).
 *
 * @module
 */

/**
 * Calls of the lookup: V8 gives a function the feedback that makes the prototype fast again after
 * it has run a few times (8 in Node 20).
 */
const LOOKUPS = 64

/**
 * Have V8 make `String.prototype` fast again, by looking up a property it does not have through
 * an object whose prototype it is. Nothing is defined or changed; in other engines it only costs
 * the lookups.
 */
export function restoreFastStringPrototype(): void {
  const probe: object = Object.create(String.prototype) as object
  try {
    for (let i = 0; i < LOOKUPS; i++) lookUpAbsent(probe)
  } catch {
    // A getter or Proxy an app put on the prototype chain threw: only speed was at stake.
  }
}

function lookUpAbsent(probe: object): unknown {
  return (probe as { readonly corbadoKeepAliveAbsent?: unknown }).corbadoKeepAliveAbsent
}
