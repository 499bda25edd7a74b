/** A CPU profile of a stretch of a process's life, taken from inside it (`node:inspector`). */
import { Session } from 'node:inspector/promises'
import type { CpuProfile } from './cpu-profile.js'

/** Start and stop the V8 sampling profiler of this process; one sample every `intervalMicros`. */
export function cpuProfiler(intervalMicros = 200) {
  const session = new Session()
  session.connect()
  return {
    async start(): Promise<void> {
      await session.post('Profiler.enable')
      await session.post('Profiler.setSamplingInterval', { interval: intervalMicros })
      await session.post('Profiler.start')
    },
    async stop(): Promise<CpuProfile> {
      const { profile } = await session.post('Profiler.stop')
      return profile
    },
  }
}
