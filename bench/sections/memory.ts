/** Runs memory-child.ts in its own process (it needs `--expose-gc` and a clean heap). */
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { CAN_PIN, SERVER_CPU } from '../lib/processes.js'

export interface MemoryReport {
  readonly baselineMb: number
  readonly afterValidMb: number
  readonly afterRefreshingMb: number
  readonly growthMb: number
  readonly refreshCalls: number
  readonly cacheSize: number
  readonly scale: {
    distinct: number
    burst: number
    cpuMicrosPerRequest: number
    /** Each round's figure; `cpuMicrosPerRequest` is their median. Absent in results before rounds. */
    rounds?: number[]
  }[]
  /** The same with `verify: true` and RS256 tokens, at fewer sessions (minting is slow). */
  readonly verifiedScale: { distinct: number; burst: number; cpuMicrosPerRequest: number }[]
}

export function memory(): MemoryReport {
  const script = fileURLToPath(new URL('./memory-child.ts', import.meta.url))
  const argv = ['--expose-gc', '--import', 'tsx', script]
  const output = CAN_PIN
    ? execFileSync('taskset', ['-c', SERVER_CPU, process.execPath, ...argv], { encoding: 'utf8' })
    : execFileSync(process.execPath, argv, { encoding: 'utf8' })
  return JSON.parse(output.trim().split('\n').at(-1)!) as MemoryReport
}
