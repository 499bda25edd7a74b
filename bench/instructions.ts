/**
 * `npm run bench:instructions -- [setup …]`: machine instructions per request on the hot path,
 * counted by valgrind's callgrind, for setups of bench/server.ts. Without arguments it counts
 * every framework's bare, no-op and keep-alive setups (a bare one twice, as the method's own
 * control) and writes bench/INSTRUCTIONS.md.
 *
 * CPU time on this shared machine moves by ±10 % between rounds (bench/RESULTS.md §1); an
 * instruction count does not depend on what else the machine runs. Each server runs under
 * callgrind with counting off; after a warm-up it is collected (so no garbage collection falls in
 * the window, with a 1 GB young generation), counting is switched on for the measured requests,
 * then off. V8 runs single-threaded, so its optimising compiler's work is counted where it
 * happens, on the main thread; the count is given whole and without that compile work, which in
 * a server with Node's defaults runs on a background thread.
 */
import { execFile, spawn } from 'node:child_process'
import { rmSync, writeFileSync } from 'node:fs'
import { Agent, request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { startFakeCorbado } from '../src/testing/index.js'
import { fixed } from './lib/stats.js'
import { realisticCookies } from './sections/hot-path.js'
import type { Setup } from './sections/hot-path.js'

const run = promisify(execFile)
const ROOT = fileURLToPath(new URL('..', import.meta.url))
/** Enough for V8 to have optimised what it optimises: fewer leave its compiler busy in the window. */
const WARM_UP = Number(process.env.BENCH_WARM_UP ?? 10_000)
const MEASURED = 2000
/** How many servers run under callgrind at once: one per CPU of this 2-core machine. */
const PARALLEL = 2

/** What one counted run found. */
interface Count {
  readonly setup: Setup
  /** Instructions per measured request, everything the server process ran. */
  readonly perRequest: number
  /** Of those, V8's compilers (`Runtime_Compile*`, inclusive): near none once warmed up. */
  readonly compiling: number
  /** Garbage collections in the measured window; the count is meant to hold none. */
  readonly collections: number
}

/** The frameworks and what is set against what: keep-alive and no-op against bare. */
const FRAMEWORKS = [
  { name: 'Express 5', bare: 'express-bare', noop: 'express-noop', keepAlive: 'express-keepalive' },
  { name: 'Koa 3', bare: 'koa-bare', noop: 'koa-noop', keepAlive: 'koa-keepalive' },
  {
    name: 'Fastify 5',
    bare: 'fastify-bare',
    noop: 'fastify-noop',
    keepAlive: 'fastify-keepalive',
  },
  {
    name: 'Hono 4 on @hono/node-server',
    bare: 'hono-bare',
    noop: 'hono-noop',
    keepAlive: 'hono-keepalive',
  },
] as const satisfies readonly { name: string; bare: Setup; noop: Setup; keepAlive: Setup }[]

async function count(setup: Setup, cookie: string, fakeUrl: string, projectId: string) {
  const outFile = join(
    tmpdir(),
    `corbado-keepalive-callgrind-${setup}-${process.pid}-${Date.now()}`,
  )
  const child = spawn(
    'valgrind',
    [
      '--tool=callgrind',
      '--instr-atstart=no',
      `--callgrind-out-file=${outFile}`,
      process.execPath,
      '--single-threaded',
      '--max-semi-space-size=1024',
      '--min-semi-space-size=1024',
      // Idle time under valgrind would otherwise start the memory reducer's full collection.
      '--no-memory-reducer',
      '--trace-gc',
      '--expose-gc',
      '--import',
      'tsx',
      join(ROOT, 'bench/server.ts'),
      '--setup',
      setup,
      '--project-id',
      projectId,
      '--frontend-api-url',
      fakeUrl,
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] },
  )
  const pid = String(child.pid)
  const exited = new Promise((resolve) => child.once('exit', resolve))
  let collections = 0
  const { url, probeUrl } = await new Promise<{ url: string; probeUrl: string }>(
    (resolve, reject) => {
      child.once('exit', (code) => {
        reject(new Error(`${setup} under callgrind exited with ${code}`))
      })
      createInterface({ input: child.stdout }).on('line', (line) => {
        if (line.startsWith('{')) resolve(JSON.parse(line) as { url: string; probeUrl: string })
        else if (/Scavenge|Mark-Compact|Minor/.test(line)) {
          collections++
          if (process.env.BENCH_TRACE_GC) console.log(setup, line)
        }
      })
    },
  )
  const agent = new Agent({ keepAlive: true, maxSockets: 1 })
  const get = (target: string, headers: Record<string, string> = {}) =>
    new Promise<void>((resolve, reject) => {
      const req = request(target, { agent, headers }, (res) => {
        res.resume()
        res.on('end', resolve)
      })
      req.on('error', reject)
      req.end()
    })
  try {
    // One full collection before the warm-up, none after: the young generation is sized to hold
    // the garbage of the warm-up and the counted window, and a full collection would also throw
    // away optimised code (what V8 compiles again would then fall in the window).
    await get(`${probeUrl}/__bench/heap`)
    for (let i = 0; i < WARM_UP; i++) await get(url, { cookie })
    const before = collections
    await run('callgrind_control', ['--instr=on', pid])
    for (let i = 0; i < MEASURED; i++) await get(url, { cookie })
    await run('callgrind_control', ['--instr=off', pid])
    const during = collections - before
    child.kill('SIGTERM')
    await exited
    const { stdout } = await run(
      'callgrind_annotate',
      ['--inclusive=yes', '--threshold=100', outFile],
      {
        maxBuffer: 256 * 1024 * 1024,
      },
    )
    return { setup, ...parse(stdout), collections: during }
  } finally {
    agent.destroy()
    child.kill('SIGKILL')
    rmSync(outFile, { force: true })
  }
}

/** The totals of a `callgrind_annotate --inclusive=yes` listing, per measured request. */
function parse(listing: string): Pick<Count, 'perRequest' | 'compiling'> {
  const total = /^([\d,]+) \(100\.0%\)\s+PROGRAM TOTALS/m.exec(listing)
  if (total === null) throw new Error('callgrind_annotate printed no PROGRAM TOTALS')
  const number = (text: string) => Number(text.replaceAll(',', ''))
  let compile = 0
  for (const match of listing.matchAll(
    /^\s*([\d,]+) \([^)]*\)\s+\S*v8::internal::Runtime_Compile/gm,
  ))
    compile += number(match[1]!)
  const all = number(total[1]!)
  return { perRequest: all / MEASURED, compiling: compile / MEASURED }
}

async function countAll(setups: readonly Setup[]): Promise<Count[]> {
  const fake = await startFakeCorbado()
  try {
    const { sessionToken } = fake.login('usr-100000001', { sessionLifetimeSeconds: 3600 })
    const cookie = realisticCookies(sessionToken)
    const counts: Count[] = []
    let next = 0
    await Promise.all(
      Array.from({ length: PARALLEL }, async () => {
        while (next < setups.length) {
          const setup = setups[next++]!
          const counted = await count(setup, cookie, fake.url, fake.projectId)
          console.log(
            `${setup}: ${thousands(counted.perRequest)} instructions per request, ` +
              `${thousands(counted.compiling)} of them compiling, ${counted.collections} GCs`,
          )
          counts.push(counted)
        }
      }),
    )
    return counts
  } finally {
    await fake.close()
  }
}

function thousands(instructions: number): string {
  return `${fixed(instructions / 1000, 1)}k`
}

function report(counts: readonly Count[]): string {
  const of = (setup: Setup) => counts.filter((c) => c.setup === setup)
  const perRequest = (setup: Setup) => of(setup)[0]!.perRequest
  const ratio = (subject: Setup, baseline: Setup) => perRequest(subject) / perRequest(baseline)
  const rows = FRAMEWORKS.map((f) => {
    const [first, second] = of(f.bare)
    const control = second === undefined ? '' : fixed(second.perRequest / first!.perRequest, 4)
    const overNoop = perRequest(f.keepAlive) - perRequest(f.noop)
    return (
      `| ${f.name} | ${thousands(perRequest(f.bare))} | ${fixed(ratio(f.noop, f.bare), 3)} | ` +
      `**${fixed(ratio(f.keepAlive, f.bare), 3)}** | ${fixed(ratio(f.keepAlive, f.noop), 3)} ` +
      `(${thousands(overNoop)}) | ${control} |`
    )
  })
  const collections = counts.reduce((sum, c) => sum + c.collections, 0)
  const compiling = Math.max(...counts.map((c) => c.compiling / c.perRequest))
  return `# Instructions per request

Produced by \`npm run bench:instructions\` on ${new Date().toISOString().slice(0, 10)}; Node.js
${process.version}, valgrind's callgrind. Each server of [RESULTS.md](RESULTS.md) §1 gets
${WARM_UP.toLocaleString('en')} warm-up requests, then ${MEASURED.toLocaleString('en')} counted ones, one at a time over one
connection, each with §1's realistic Cookie header and a valid session far from expiry.

An instruction count does not move with the machine's load, as CPU time does (§1's A/A rounds
spread by ±10 %): the control column, a second run of the bare server, shows this method's own
error. It weighs every instruction alike, so a cache miss costs nothing here: it shows what the
code does, not how long the CPU waits for its data (§1b).

| framework | bare: instructions per request | no-op middleware ÷ bare | keep-alive ÷ bare (goal ≤ 1.03) | keep-alive ÷ no-op (instructions the keep-alive adds to a middleware that does nothing) | control: bare, second run ÷ first |
|---|---|---|---|---|---|
${rows.join('\n')}

The no-op middleware only calls \`next()\` (an \`onRequest\` hook on Fastify): what any middleware
costs the framework before it does anything.

Garbage collections in the counted windows: ${collections}. V8's compilers' largest share of a
window: ${fixed(compiling * 100, 1)} %. The server runs with \`--single-threaded\` (so that its
compiler's work, if any, is counted) and a 1 GB young generation, collected once before the
warm-up, so that no collection falls in the window.

| setup | instructions per request | of which V8's compilers | GCs in the window |
|---|---|---|---|
${counts.map((c) => `| ${c.setup} | ${thousands(c.perRequest)} | ${thousands(c.compiling)} | ${c.collections} |`).join('\n')}
`
}

const requested = process.argv.slice(2) as Setup[]
const setups: Setup[] =
  requested.length > 0
    ? requested
    : FRAMEWORKS.flatMap((f) => [f.bare, f.keepAlive, f.noop, f.bare] as Setup[])
const counts = await countAll(setups)
if (requested.length === 0) {
  const order = (c: Count) => setups.indexOf(c.setup)
  writeFileSync(
    join(ROOT, 'bench/INSTRUCTIONS.md'),
    report([...counts].sort((a, b) => order(a) - order(b))),
  )
  console.log('wrote bench/INSTRUCTIONS.md')
}
