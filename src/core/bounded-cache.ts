/**
 * A map with a size bound and a per-entry expiry. When full, the oldest entry is evicted first.
 * Expired entries are dropped when read, and when they reach the front while inserting.
 *
 * @module
 */
export class BoundedCache<K, V> {
  readonly #entries = new Map<K, { readonly value: V; readonly expiresAt: number }>()
  readonly #maxEntries: number

  /** @param maxEntries - the most entries kept at once; at least 1. */
  constructor(maxEntries: number) {
    this.#maxEntries = Math.max(1, Math.floor(maxEntries))
  }

  /** Number of entries held, expired ones included until they are dropped. */
  get size(): number {
    return this.#entries.size
  }

  /** The value of `key` if present and not expired at `now` (ms since the epoch). */
  get(key: K, now: number): V | undefined {
    const entry = this.#entries.get(key)
    if (entry === undefined) return undefined
    if (entry.expiresAt <= now) {
      this.#entries.delete(key)
      return undefined
    }
    return entry.value
  }

  /** Store `value` under `key` until `expiresAt` (ms since the epoch). */
  set(key: K, value: V, expiresAt: number, now: number): void {
    this.#entries.delete(key)
    this.#evict(now)
    this.#entries.set(key, { value, expiresAt })
  }

  /** Remove `key`. */
  delete(key: K): void {
    this.#entries.delete(key)
  }

  #evict(now: number): void {
    for (const [key, entry] of this.#entries) {
      if (this.#entries.size < this.#maxEntries && entry.expiresAt > now) return
      this.#entries.delete(key)
    }
  }
}
