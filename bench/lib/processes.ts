/**
 * Benchmark servers run in their own processes, pinned to their own CPU where `taskset` exists,
 * so the load generator never competes with the server it measures.
 */
import { spawn, spawnSync } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

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

/** A benchmark server in a child process. */
export interface BenchServer {
  readonly url: string
  /** CPU time the server process used so far, microseconds (`process.cpuUsage()`). */
  cpuMicros(): Promise<{ user: number; system: number }>
  /** Heap used by the server process now, bytes (after a GC when the process allows it). */
  heapUsed(): Promise<number>
  stop(): Promise<void>
}

const SERVER_SCRIPT = fileURLToPath(new URL('../server.ts', import.meta.url))

/** Start `bench/server.ts` with `args`, pinned to the server CPU, and wait until it listens. */
export async function startServer(args: Record<string, string>): Promise<BenchServer> {
  const argv = [
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
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => {
      reject(new Error(`bench server exited with ${code}`))
    })
    lines.once('line', (line) => {
      resolve((JSON.parse(line) as { url: string }).url)
    })
  })
  const probe = async <T>(path: string) => {
    const response = await fetch(url + path)
    return (await response.json()) as T
  }
  return {
    url,
    cpuMicros: () => probe<{ user: number; system: number }>('/__bench/cpu'),
    heapUsed: () => probe<number>('/__bench/heap'),
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => {
          resolve()
        })
        child.kill('SIGTERM')
      }),
  }
}
