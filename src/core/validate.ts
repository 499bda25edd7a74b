/**
 * Checks shared by every options parser of the package (keep-alive, gateway, Redis coordinator,
 * command line): each throws an {@link InvalidOptionError} that names the option, and unknown
 * keys get a "did you mean" hint. `undefined` always means "not given".
 *
 * @module
 */
import { InvalidOptionError } from './errors.js'
import type { Logger } from './types.js'

/** A map with every key of `T`, so the compiler keeps the list of known options complete. */
export type KeysEnum<T> = { readonly [K in keyof Required<T>]: true }

/** Validate a `logger` option. */
export function resolveLogger(input: unknown): Logger | undefined {
  if (input === undefined) return undefined
  if (!isLogger(input)) {
    throw new InvalidOptionError(
      'logger',
      'must have "warn" and "error" methods (pino and console do)',
      input,
    )
  }
  return input
}

function isLogger(value: unknown): value is Logger {
  return hasMethods(value, ['warn', 'error'])
}

export function hasMethods(value: unknown, methods: readonly string[]): boolean {
  if (typeof value !== 'object' || value === null) return false
  return methods.every((method) => typeof (value as Record<string, unknown>)[method] === 'function')
}

/** Validate an integer option in `[min, max]`. */
export function integer(
  name: string,
  input: unknown,
  fallback: number,
  min: number,
  max: number,
): number {
  if (input === undefined) return fallback
  if (typeof input !== 'number' || !Number.isInteger(input) || input < min || input > max) {
    throw new InvalidOptionError(name, `must be an integer from ${min} to ${max}`, input)
  }
  return input
}

/** Validate an integer option of at least 1, with no upper bound. */
export function positiveInteger(name: string, input: unknown, fallback: number): number {
  if (input === undefined) return fallback
  if (typeof input !== 'number' || !Number.isSafeInteger(input) || input < 1) {
    throw new InvalidOptionError(name, 'must be a positive integer', input)
  }
  return input
}

/** Validate a boolean option. */
export function boolean(name: string, input: unknown, fallback: boolean): boolean {
  if (input === undefined) return fallback
  if (typeof input !== 'boolean') throw new InvalidOptionError(name, 'must be true or false', input)
  return input
}

/** Validate an optional function option. */
export function optionalFunction<F>(name: string, input: F | undefined): F | undefined {
  if (input === undefined) return undefined
  if (typeof input !== 'function') throw new InvalidOptionError(name, 'must be a function', input)
  return input
}

/** Throw for the first unknown key, with a did-you-mean hint. */
export function rejectUnknownKeys(input: object, known: object, prefix: string): void {
  for (const key of Object.keys(input)) {
    if (Object.hasOwn(known, key)) continue
    const hint = closest(key, Object.keys(known))
    throw new InvalidOptionError(
      prefix + key,
      `is not an option${hint === undefined ? '' : `. Did you mean "${prefix}${hint}"?`}`,
    )
  }
}

function closest(input: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined
  let bestDistance = Math.max(2, Math.floor(input.length / 3)) + 1
  for (const candidate of candidates) {
    const a = input.toLowerCase()
    const b = candidate.toLowerCase()
    // A unit-less or shortened name ("refreshTimeout") is as good a hint as a typo.
    const distance = a.length >= 4 && b.startsWith(a) ? 1 : editDistance(a, b)
    if (distance < bestDistance) {
      best = candidate
      bestDistance = distance
    }
  }
  return best
}

/** Levenshtein distance, O(a·b); option names are short. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1)
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution)
    }
    previous = current
  }
  return previous[b.length] ?? 0
}

/** `true` for a non-null, non-array object. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
