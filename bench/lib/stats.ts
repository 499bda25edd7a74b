/** Small statistics helpers for benchmark reports. */

/** The median of `values` (which must not be empty). */
export function median(values: readonly number[]): number {
  return percentile(values, 50)
}

/** The `p`-th percentile (nearest rank) of `values`. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) throw new Error('percentile of no values')
  const sorted = [...values].sort((a, b) => a - b)
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[rank]!
}

/** `value` rounded to `digits` decimals, as text. */
export function fixed(value: number, digits = 2): string {
  return value.toFixed(digits)
}
