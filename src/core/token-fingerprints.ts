/**
 * A compact memory of verified tokens, behind the cache of whole ones: for each token a keyed
 * fingerprint, its length and its expiry, 16 bytes in one typed array, so that a returning
 * session past that cache's bound is neither verified nor decoded again (its claims are decoded
 * when first read), and two million sessions take 32 MB outside the JavaScript heap.
 *
 * The fingerprint is a multilinear universal hash in three independent lanes, two modulo the
 * prime p = 2^26 − 5 and one modulo q = 2^20 − 3, keyed per position with random numbers drawn
 * when the process remembers its first token. For any two different tokens of the same length,
 * whatever their content, all three lanes agree with probability at most 1/(p²q) ≈ 2.1 · 10⁻²²;
 * lengths are compared exactly. So a token made up to match one of the (at most 2^21) tokens
 * remembered is taken for it with probability below 5 · 10⁻¹⁶ per attempt: unlike a fixed hash,
 * the keys are unknown to whoever writes the token.
 *
 * @module
 */

/**
 * 2^26 − 5. A digit is two ASCII characters (below 2^15), a key below 2^26: a thousand of their
 * products sum to below 2^51, exact in a double, so a token is reduced only once.
 */
const PRIME = 67_108_859
/**
 * 2^20 − 3, the third lane's prime: its lane shares a word with the length (below 2^12). Its keys
 * are below 2^20, so its sums stay exact too.
 */
const SHORT_PRIME = 1_048_573
/** The length takes the low 12 bits of its word, the third lane the rest. */
const LENGTH_BITS = 4096
/** Tokens longer than this are not remembered (Corbado's are under 1 KB). */
const MAX_TOKEN_LENGTH = 2048
/** Digits of the longest token, rounded up to whole pairs. */
const MAX_DIGITS = MAX_TOKEN_LENGTH / 2 + 2
const ENCODER = new TextEncoder()
/*
 * The hash's keys and the token being hashed live in typed arrays that are constants of this
 * module, not fields: V8 then knows each array while compiling the hash, instead of checking its
 * buffer and length on every one of a token's ~1,500 reads (over half of the instructions).
 * Every table in a process shares the keys, drawn once; each table keeps its own tokens.
 */
/** The token being hashed, as bytes, and as the two-byte digits that are hashed. */
const BYTES = new Uint8Array(2 * MAX_DIGITS)
const DIGITS = new Uint16Array(BYTES.buffer)
/** One key per digit position for each lane, uniform below its prime; zero until drawn. */
const KEYS_A = new Float64Array(MAX_DIGITS)
const KEYS_B = new Float64Array(MAX_DIGITS)
const KEYS_C = new Float64Array(MAX_DIGITS)
let keysDrawn = false
/**
 * A slot is four numbers: the first two lanes, the third lane with the length, and `exp` in
 * seconds (0: empty).
 */
const LANE_A = 0
const LANE_B = 1
const LANE_C_AND_LENGTH = 2
const EXPIRES = 3
const SLOT_WORDS = 4
/** Slots per bucket (64 bytes); a token may sit in either of two buckets, one per lane. */
const WAYS = 4
const BUCKET_WORDS = WAYS * SLOT_WORDS
/** Tokens moved to make room for one, at most, before the table grows or forgets one. */
const MAX_MOVES = 64
/** Slots of a new table; it doubles whenever a live token would otherwise be dropped. */
const INITIAL_SLOTS = 4096

/** Remembers verified tokens by fingerprint, up to a bound. */
export class TokenFingerprints {
  readonly #maxSlots: number
  /** The lanes of the token hashed last, set by {@link #hash}: the third with the token's length. */
  #laneA = 0
  #laneB = 0
  #laneCAndLength = 0
  #slots = new Uint32Array(0)
  #bucketMask = 0
  /** Which way of a full bucket the next move takes, rotating. */
  #moves = 0

  /**
   * @param maxEntries - the most tokens remembered; rounded up to a power of two, at least
   *   {@link INITIAL_SLOTS}. The table grows with use, 16 bytes a slot.
   */
  constructor(maxEntries: number) {
    let slots = INITIAL_SLOTS
    while (slots < maxEntries) slots *= 2
    this.#maxSlots = slots
  }

  /** The most tokens remembered at once. */
  get capacity(): number {
    return this.#maxSlots
  }

  /** Whether a token equal to `token` was remembered and is unexpired at `now` (ms). */
  has(token: string, now: number): boolean {
    return this.expiryOf(token, now) !== undefined
  }

  /**
   * When a token equal to `token`, remembered and unexpired at `now` (ms), expires: milliseconds
   * since the epoch, rounded down to a second as it was remembered. `undefined` when there is none.
   */
  expiryOf(token: string, now: number): number | undefined {
    if (this.#slots.length === 0 || !this.#hash(token)) return undefined
    const slot = this.#find(now)
    return slot < 0 ? undefined : (this.#slots[slot + EXPIRES] ?? 0) * 1000
  }

  /** Remember a verified `token` until `expiresAtMs` (ms since the epoch), rounded down to a second. */
  remember(token: string, expiresAtMs: number, now: number): void {
    if (this.#slots.length === 0) this.#allocate(INITIAL_SLOTS)
    if (!this.#hash(token)) return
    const expires = Math.min(Math.floor(expiresAtMs / 1000), 0xffff_ffff)
    const known = this.#find(now)
    if (known >= 0) {
      this.#slots[known + EXPIRES] = expires
      return
    }
    let homeless = this.#place(this.#laneA, this.#laneB, this.#laneCAndLength, expires, now)
    while (homeless !== undefined && this.#slots.length < this.#maxSlots * SLOT_WORDS) {
      this.#grow(now)
      homeless = this.#place(homeless[0], homeless[1], homeless[2], homeless[3], now)
    }
    // At its bound, a full table forgets the token displaced last.
  }

  /**
   * Hash `token` into {@link #laneA}, {@link #laneB} and {@link #laneCAndLength}. `false` for a
   * token that is not remembered: too long, or not ASCII (bytes below 0x80 are what keep two-byte
   * digits below p).
   */
  #hash(token: string): boolean {
    const length = token.length
    if (length > MAX_TOKEN_LENGTH) return false
    // Copying out the bytes first is several times faster than reading the string char by char.
    const { read, written } = ENCODER.encodeInto(token, BYTES)
    if (read !== length || written !== length) return false
    BYTES.fill(0, length, length + 3)
    // Two sums per lane, so that consecutive additions do not wait on each other.
    let a0 = 0
    let a1 = 0
    let b0 = 0
    let b1 = 0
    let c0 = 0
    let c1 = 0
    for (let i = 0; i < length; i += 4) {
      const even = i >>> 1
      const first = DIGITS[even] ?? 0
      const second = DIGITS[even + 1] ?? 0
      a0 += (KEYS_A[even] ?? 0) * first
      b0 += (KEYS_B[even] ?? 0) * first
      c0 += (KEYS_C[even] ?? 0) * first
      a1 += (KEYS_A[even + 1] ?? 0) * second
      b1 += (KEYS_B[even + 1] ?? 0) * second
      c1 += (KEYS_C[even + 1] ?? 0) * second
    }
    this.#laneA = (a0 + a1) % PRIME
    this.#laneB = (b0 + b1) % PRIME
    this.#laneCAndLength = ((c0 + c1) % SHORT_PRIME) * LENGTH_BITS + length
    return true
  }

  /** The slot (its first word) of the token just hashed, unexpired at `now`, or -1. */
  #find(now: number): number {
    const found = this.#findIn(this.#bucketOf(this.#laneA), now)
    return found >= 0 ? found : this.#findIn(this.#bucketOf(this.#laneB), now)
  }

  #findIn(bucket: number, now: number): number {
    const slots = this.#slots
    const nowSeconds = now / 1000
    for (let slot = bucket * BUCKET_WORDS; slot < (bucket + 1) * BUCKET_WORDS; slot += SLOT_WORDS) {
      if (
        slots[slot + LANE_A] === this.#laneA &&
        slots[slot + LANE_B] === this.#laneB &&
        slots[slot + LANE_C_AND_LENGTH] === this.#laneCAndLength &&
        (slots[slot + EXPIRES] ?? 0) > nowSeconds
      ) {
        return slot
      }
    }
    return -1
  }

  /**
   * The bucket of a lane. A lane is uniform over tokens drawn at random, but tokens that differ
   * in a few characters give lanes on a lattice, whose low bits cluster: they are mixed first.
   */
  #bucketOf(lane: number): number {
    const mixed = Math.imul(lane ^ (lane >>> 15), 0x2c1b3c6d)
    return (mixed ^ (mixed >>> 12)) & this.#bucketMask
  }

  /**
   * Put a token into a free or expired slot of one of its two buckets. When both are full, it
   * takes a slot there and the token it displaces moves to its own other bucket, and so on
   * (cuckoo hashing), which fills the table to over 90 % before anything is lost. Returns the
   * token displaced last, still to be placed, when that did not end within {@link MAX_MOVES}.
   */
  #place(
    a: number,
    b: number,
    laneCAndLength: number,
    expires: number,
    now: number,
  ): [number, number, number, number] | undefined {
    const slots = this.#slots
    let bucket = this.#bucketOf(a)
    let slot = this.#freeIn(bucket, now)
    if (slot < 0) {
      bucket = this.#bucketOf(b)
      slot = this.#freeIn(bucket, now)
    }
    for (let move = 0; slot < 0 && move < MAX_MOVES; move++) {
      const taken = bucket * BUCKET_WORDS + (this.#moves++ % WAYS) * SLOT_WORDS
      const displaced = slots.slice(taken, taken + SLOT_WORDS)
      slots.set([a, b, laneCAndLength, expires], taken)
      a = displaced[LANE_A] ?? 0
      b = displaced[LANE_B] ?? 0
      laneCAndLength = displaced[LANE_C_AND_LENGTH] ?? 0
      expires = displaced[EXPIRES] ?? 0
      const home = this.#bucketOf(a)
      bucket = home === bucket ? this.#bucketOf(b) : home
      slot = this.#freeIn(bucket, now)
    }
    if (slot < 0) return [a, b, laneCAndLength, expires]
    slots.set([a, b, laneCAndLength, expires], slot)
    return undefined
  }

  /** A free or expired slot of `bucket` (its first word), or -1. */
  #freeIn(bucket: number, now: number): number {
    const nowSeconds = now / 1000
    for (let slot = bucket * BUCKET_WORDS; slot < (bucket + 1) * BUCKET_WORDS; slot += SLOT_WORDS) {
      if ((this.#slots[slot + EXPIRES] ?? 0) <= nowSeconds) return slot
    }
    return -1
  }

  #allocate(slots: number): void {
    if (!keysDrawn) {
      // Drawn at first use, not at start-up: some runtimes (workerd) allow randomness only while
      // handling a request.
      drawKeys(KEYS_A, PRIME)
      drawKeys(KEYS_B, PRIME)
      drawKeys(KEYS_C, SHORT_PRIME)
      keysDrawn = true
    }
    this.#bucketMask = slots / WAYS - 1
    this.#slots = new Uint32Array(slots * SLOT_WORDS)
  }

  /**
   * Double the table, keeping the tokens unexpired at `now`. At half the load, a token that
   * still finds no place (about never) is forgotten.
   */
  #grow(now: number): void {
    const old = this.#slots
    this.#allocate((old.length / SLOT_WORDS) * 2)
    for (let slot = 0; slot < old.length; slot += SLOT_WORDS) {
      const expires = old[slot + EXPIRES] ?? 0
      if (expires > now / 1000) {
        this.#place(
          old[slot + LANE_A] ?? 0,
          old[slot + LANE_B] ?? 0,
          old[slot + LANE_C_AND_LENGTH] ?? 0,
          expires,
          now,
        )
      }
    }
  }
}

/** Fill `keys` with one key per digit position, uniform in [0, `prime`). */
function drawKeys(keys: Float64Array, prime: number): void {
  const random = crypto.getRandomValues(new Uint32Array(keys.length))
  // 2^32 mod p = 320 and 2^32 mod q = 12,288: the modulo's bias is below 10⁻⁵ per key.
  random.forEach((value, digit) => {
    keys[digit] = value % prime
  })
}
