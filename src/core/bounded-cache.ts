/**
 * A map with a size bound and a per-entry expiry. When full, the oldest entry is evicted first.
 * Expired entries are dropped when read, and when they reach the front while inserting.
 *
 * @module
 */
interface Entry<V> {
  readonly value: V
  readonly expiresAt: number
}

export class BoundedCache<K, V> {
  readonly #entries = new Map<K, Entry<V>>()
  readonly #maxEntries: number
  /**
   * Walks the entries in insertion order, never back: everything before it has been deleted.
   * Starting each eviction from the map's start instead would step again over every deleted
   * slot still in the table, making a full cache's inserts cost in proportion to its size.
   * A map iterator keeps every table the map has outgrown since its last step, so one that has
   * not moved for {@link #maxEntries} inserts is dropped, and made again when needed.
   */
  #cursor: Iterator<[K, Entry<V>]> | undefined
  #insertsSinceCursorMoved = 0
  /** The oldest entry, if it has not been deleted or replaced since it was found. */
  #front: [K, Entry<V>] | undefined

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
    if (++this.#insertsSinceCursorMoved > this.#maxEntries) this.#cursor = undefined
    for (let oldest = this.#oldest(); oldest !== undefined; oldest = this.#oldest()) {
      const [key, entry] = oldest
      if (this.#entries.size < this.#maxEntries && entry.expiresAt > now) return
      this.#entries.delete(key)
    }
  }

  #oldest(): [K, Entry<V>] | undefined {
    for (;;) {
      if (this.#front !== undefined && this.#entries.get(this.#front[0]) === this.#front[1]) {
        return this.#front
      }
      let next = this.#cursor?.next()
      // A finished map iterator stays finished: entries added since need a new one.
      if (next === undefined || next.done === true) {
        this.#cursor = this.#entries.entries()
        next = this.#cursor.next()
        if (next.done === true) {
          this.#front = undefined
          return undefined
        }
      }
      this.#insertsSinceCursorMoved = 0
      this.#front = next.value
    }
  }
}
