/**
 * `npm run bench`: every benchmark, written to bench/RESULTS.md.
 *
 * The load generator (this process) and each server run in separate processes on separate CPUs
 * (taskset) where possible. Setups alternate over rounds and medians are reported, because the
 * machine is shared and noisy. The headline figure is server CPU time per request.
 */
import { cpus, totalmem } from 'node:os'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { startFakeCorbado } from '../src/testing/index.js'
import { CAN_PIN, pinToLoadCpu } from './lib/processes.js'
import { coalescing } from './sections/coalescing.js'
import { hotPath } from './sections/hot-path.js'
import { inSitu } from './sections/in-situ.js'
import { memory } from './sections/memory.js'
import { refreshPath } from './sections/refresh-path.js'
import { storm } from './sections/storm.js'
import { render } from './report.js'
import type { Results } from './report.js'

pinToLoadCpu(import.meta.url)

const quick = process.env.BENCH_QUICK === '1'
/** V8's background threads sized to the one CPU the server has, instead of Node's 4. */
const ONE_POOL_THREAD = ['--v8-pool-size=1']
const rounds = quick ? 4 : 8
const amount = quick ? 1000 : 1500
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
const started = Date.now()

const fake = await startFakeCorbado()
try {
  console.log(`hot path: ${rounds} rounds × ${amount} requests per setup and comparison`)
  const hot = await hotPath(fake, rounds, amount)
  console.log('the middleware inside a loaded server')
  const situ = inSitu()
  // Three consecutive runs: the goal must hold in each, not in their best.
  const refresh = []
  for (let run = 1; run <= 3; run++) {
    console.log(`refresh path, run ${run} of 3`)
    refresh.push(await refreshPath(fake, 50, quick ? 50 : 200))
  }
  // The longest event-loop delay is one rare turn: two runs each way, alternating, say how far it
  // moves from one run to the next; the goal must hold in each.
  const stormSessions = quick ? 2000 : 10_000
  const storms = []
  const onePoolThread = []
  for (let run = 1; run <= 2; run++) {
    console.log(`refresh storm, run ${run} of 2, with Node's defaults, then with --v8-pool-size=1`)
    storms.push(await storm(fake, stormSessions, 100, false))
    onePoolThread.push(await storm(fake, stormSessions, 100, false, ONE_POOL_THREAD))
  }
  console.log('the same storm under the CPU profiler')
  const profiledStorm = await storm(fake, stormSessions, 100, true)
  console.log('coalescing')
  const coalesce = await coalescing(fake, 100, redisUrl)
  console.log('memory and scale')
  const mem = memory()
  const results: Results = {
    command: 'npm run bench',
    date: new Date().toISOString(),
    machine: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB${translationNote()}`,
    node: process.version,
    pinned: CAN_PIN,
    durationSeconds: Math.round((Date.now() - started) / 1000),
    hot,
    situ,
    refresh,
    storm: storms,
    stormOnePoolThread: onePoolThread,
    profiledStorm,
    coalesce,
    mem,
  }
  // The raw figures, for a re-render (npx tsx bench/render.ts) without measuring again.
  mkdirSync(fileURLToPath(new URL('./results', import.meta.url)), { recursive: true })
  writeFileSync(
    fileURLToPath(new URL('./results/results.json', import.meta.url)),
    JSON.stringify(results),
  )
  const markdown = render(results)
  const out = fileURLToPath(new URL('./RESULTS.md', import.meta.url))
  writeFileSync(out, markdown)
  console.log(markdown)
} finally {
  await fake.close()
}

/**
 * What the CPU flags say about address translation, which sets the cost of a server's cold caches:
 * a virtual machine whose kernel isolates its page tables without PCID flushes the TLB at every
 * system call, so every request starts with its code and data's translations gone.
 */
function translationNote(): string {
  let flags: Set<string>
  try {
    const line = /^flags\s*:(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? ''
    flags = new Set(line.trim().split(/\s+/))
  } catch {
    return ''
  }
  const flushes =
    flags.has('pti') && !flags.has('pcid')
      ? ' whose kernel flushes the TLB at every system call (page-table isolation without PCID)'
      : ''
  if (flags.has('hypervisor')) return `, a virtual machine${flushes}`
  return flushes === '' ? '' : `, a machine${flushes}`
}
