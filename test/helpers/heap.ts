/** Heap measurements for tests of what caches keep alive. */
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

/** Heap used after a full garbage collection, in MB. */
export function heapUsedMb(): number {
  gc()
  return process.memoryUsage().heapUsed / 2 ** 20
}

/** `part` as a slice of a `padding`-character string, as a cookie value is cut from its header. */
export function sliceOfLarge(part: string, padding = 16_000): string {
  const large = `${'x'.repeat(padding)}${Math.random()};${part}`
  return large.slice(large.length - part.length)
}
