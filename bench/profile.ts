/**
 * `npm run bench:profile [setup]`: a hot-path server (default `express-keepalive`; any setup of
 * bench/server.ts) under `--cpu-prof`, loaded with valid sessions; writes bench/PROFILE.md (or
 * PROFILE-<setup>.md): the keep-alive's own time per request, what it is spent on, and the
 * functions with the most self time in the whole process.
 */
import { spawn } from 'node:child_process'
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import autocannon from 'autocannon'
import { startFakeCorbado } from '../src/testing/index.js'
import { nameOf, readLargestProfile, selfTimes, SOURCES } from './lib/cpu-profile.js'
import type { ProfileNode } from './lib/cpu-profile.js'
import { realisticCookies } from './sections/hot-path.js'

const setup = process.argv[2] ?? 'express-keepalive'
const REQUESTS = 30_000
const dir = fileURLToPath(new URL('./results/profile', import.meta.url))
rmSync(dir, { recursive: true, force: true })
mkdirSync(dir, { recursive: true })
const fake = await startFakeCorbado()
const { sessionToken } = fake.login('usr-100000001', { sessionLifetimeSeconds: 3600 })
const server = spawn(
  process.execPath,
  [
    '--cpu-prof',
    '--cpu-prof-interval=100',
    `--cpu-prof-dir=${dir}`,
    '--import',
    'tsx',
    fileURLToPath(new URL('./server.ts', import.meta.url)),
    '--setup',
    setup,
    '--project-id',
    fake.projectId,
    '--frontend-api-url',
    fake.url,
  ],
  { stdio: ['ignore', 'pipe', 'inherit'] },
)
const url = await new Promise<string>((resolve) => {
  createInterface({ input: server.stdout }).once('line', (line) => {
    resolve((JSON.parse(line) as { url: string }).url)
  })
})
await autocannon({
  url,
  amount: REQUESTS,
  connections: 10,
  headers: { cookie: realisticCookies(sessionToken) },
})
await new Promise((resolve) => {
  server.once('exit', resolve)
  server.kill('SIGTERM')
})
await fake.close()

const profile = readLargestProfile(dir)
const nodes = new Map(profile.nodes.map((node) => [node.id, node]))
const { total, rows } = selfTimes(profile)
const selfTime = new Map(rows)
const microsPerSample = (profile.endTime - profile.startTime) / total
/** Microseconds per request that `samples` samples stand for. */
const perRequest = (samples: number) => (samples * microsPerSample) / REQUESTS
const idle = selfTime.get('(idle)') ?? 0

// The keep-alive's time: its own frames and what they call (jose, Map lookups, string work),
// but not the downstream handlers it hands the request on to with next().
const isOurs = (node: ProfileNode) => node.callFrame.url.startsWith(SOURCES)
const isDownstream = (node: ProfileNode) =>
  /\/node_modules\/(router|express|koa|koa-compose)\//.test(node.callFrame.url)
const below = new Map<string, number>()
const inside = (node: ProfileNode): number => {
  if (isDownstream(node)) return 0
  below.set(nameOf(node), (below.get(nameOf(node)) ?? 0) + (node.hitCount ?? 0))
  return (
    (node.hitCount ?? 0) +
    (node.children ?? []).reduce((sum, id) => sum + inside(nodes.get(id)!), 0)
  )
}
let ours = 0
const visit = (node: ProfileNode) => {
  if (isOurs(node)) ours += inside(node)
  else for (const id of node.children ?? []) visit(nodes.get(id)!)
}
visit(profile.nodes[0]!)

const table = (entries: [string, number][]) =>
  entries
    .map(
      ([name, samples]) =>
        `| \`${name}\` | ${((100 * samples) / total).toFixed(2)} | ${perRequest(samples).toFixed(2)} |`,
    )
    .join('\n')
const gcSamples = selfTime.get('(garbage collector)') ?? 0
const markdown = `# Hot-path profile

Produced by \`npm run bench:profile ${setup}\` on ${new Date().toISOString().slice(0, 10)}: the \`${setup}\`
server of bench/server.ts under \`--cpu-prof\` (a sample every 100 µs), ${REQUESTS.toLocaleString('en-US')} requests with a
valid session far from expiry over 10 connections, Node.js ${process.version}. ${total.toLocaleString('en-US')} samples. The
profiler slows what it measures: its microseconds are higher than unprofiled ones.

| | % of samples | µs per request |
|---|---|---|
| the process, busy (all but idle) | ${((100 * (total - idle)) / total).toFixed(1)} | ${perRequest(total - idle).toFixed(1)} |
| **the keep-alive: its frames and what they call, without downstream** | **${((100 * ours) / total).toFixed(2)}** | **${perRequest(ours).toFixed(2)}** |
| garbage collector | ${((100 * gcSamples) / total).toFixed(2)} | ${perRequest(gcSamples).toFixed(2)} |

Microseconds are over the whole run, the server's start included. As a share of the busy
samples, the keep-alive took ${((100 * ours) / (total - idle)).toFixed(2)} %.

Inside the keep-alive, by self time:

| function | % of samples | µs per request |
|---|---|---|
${table(
  [...below]
    .filter(([, samples]) => samples > 0)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 12),
)}

The whole process, the 15 functions with the most self time:

| function | % of samples | µs per request |
|---|---|---|
${table(rows.slice(0, 15))}
`
const suffix = setup === 'express-keepalive' ? '' : `-${setup}`
writeFileSync(fileURLToPath(new URL(`./PROFILE${suffix}.md`, import.meta.url)), markdown)
console.log(markdown)
