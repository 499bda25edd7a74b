/**
 * Benchmark servers run in their own processes, pinned to their own CPU where `taskset` exists,
 * so the load generator never competes with the server it measures.
 */
import { spawn, spawnSync } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import type { CpuProfile } from './cpu-profile.js'

/** Whether `taskset` can pin processes here. */
export const CAN_PIN = spawnSync('taskset', ['-c', '0', 'true']).status === 0

/** CPU the servers run on; the load generator takes the other one. */
export const SERVER_CPU = '0'
export const LOAD_CPU = '1'

/**
 * Re-run the script `scriptUrl` (its `import.meta.url`) pinned to the load generator's CPU, and
 * exit with its status; returns at once when already pinned, or when `taskset` is missing.
 */
export function pinToLoadCpu(scriptUrl: string): void {
  if (!CAN_PIN || process.env.BENCH_PINNED !== undefined) return
  const result = spawnSync(
    'taskset',
    [
      '-c',
      LOAD_CPU,
      process.execPath,
      ...process.execArgv,
      fileURLToPath(scriptUrl),
      ...process.argv.slice(2),
    ],
    { stdio: 'inherit', env: { ...process.env, BENCH_PINNED: '1' } },
  )
  process.exit(result.status ?? 1)
}

/** One request's time in a bench server, and within it its own refresh call's (§2), milliseconds. */
export interface RequestTiming {
  readonly totalMs: number
  readonly upstreamMs: number
}

/** A benchmark server in a child process. */
export interface BenchServer {
  readonly url: string
  /** CPU time the server process used so far, microseconds (`process.cpuUsage()`). */
  cpuMicros(): Promise<{ user: number; system: number }>
  /** Heap used by the server process now, bytes (after a GC when the process allows it). */
  heapUsed(): Promise<number>
  /**
   * The event loop's longest and p99 delay, and the longest garbage-collection pause, since the
   * previous call, milliseconds.
   */
  loopDelay(): Promise<{ maxMs: number; p99Ms: number; longestGcMs: number }>
  /** Record each following request's time in the server and its refresh call's (§2). */
  startRefreshTimings(): Promise<void>
  /** What was recorded since {@link startRefreshTimings}, in the order the requests finished. */
  refreshTimings(): Promise<RequestTiming[]>
  /** Start the server's CPU profiler. */
  startProfile(): Promise<void>
  /** Stop it: what the server ran since {@link startProfile}. */
  stopProfile(): Promise<CpuProfile>
  stop(): Promise<void>
}

const SERVER_SCRIPT = fileURLToPath(new URL('../server.ts', import.meta.url))

/**
 * Start `bench/server.ts` with `args`, pinned to the server CPU, and wait until it listens.
 *
 * @param nodeArgs - more options for `node` itself, such as `--cpu-prof`.
 */
export async function startServer(
  args: Record<string, string>,
  nodeArgs: readonly string[] = [],
): Promise<BenchServer> {
  const argv = [
    ...nodeArgs,
    '--expose-gc',
    '--import',
    'tsx',
    SERVER_SCRIPT,
    ...Object.entries(args).flatMap(([k, v]) => [`--${k}`, v]),
  ]
  const child: ChildProcess = CAN_PIN
    ? spawn('taskset', ['-c', SERVER_CPU, process.execPath, ...argv], {
        stdio: ['ignore', 'pipe', 'inherit'],
      })
    : spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'inherit'] })
  const lines = createInterface({ input: child.stdout! })
  const { url, probeUrl } = await new Promise<{ url: string; probeUrl: string }>(
    (resolve, reject) => {
      child.once('exit', (code) => {
        reject(new Error(`bench server exited with ${code}`))
      })
      lines.once('line', (line) => {
        resolve(JSON.parse(line) as { url: string; probeUrl: string })
      })
    },
  )
  const probe = async <T>(path: string) => {
    const response = await fetch(probeUrl + path)
    return (await response.json()) as T
  }
  return {
    url,
    cpuMicros: () => probe<{ user: number; system: number }>('/__bench/cpu'),
    heapUsed: () => probe<number>('/__bench/heap'),
    loopDelay: () =>
      probe<{ maxMs: number; p99Ms: number; longestGcMs: number }>('/__bench/loop-delay'),
    startRefreshTimings: async () => {
      await probe('/__bench/refresh-timings/start')
    },
    refreshTimings: () => probe<RequestTiming[]>('/__bench/refresh-timings'),
    startProfile: async () => {
      await probe('/__bench/profile/start')
    },
    stopProfile: () => probe<CpuProfile>('/__bench/profile/stop'),
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => {
          resolve()
        })
        child.kill('SIGTERM')
      }),
  }
}
