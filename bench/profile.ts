/**
 * `npm run bench:profile [setup]`: a hot-path server (default `express-keepalive`; any setup of
 * bench/server.ts) under `--cpu-prof`, loaded with valid sessions; prints the functions with the
 * most self time, and where the keep-alive's own code stands among them.
 */
import { spawn } from 'node:child_process'
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import autocannon from 'autocannon'
import { startFakeCorbado } from '../src/testing/index.js'
import { realisticCookies } from './sections/hot-path.js'

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  hitCount?: number
}

const setup = process.argv[2] ?? 'express-keepalive'
const SOURCES = new URL('../src/', import.meta.url).href
const dir = fileURLToPath(new URL('./results/profile', import.meta.url))
rmSync(dir, { recursive: true, force: true })
mkdirSync(dir, { recursive: true })
const fake = await startFakeCorbado()
const { sessionToken } = fake.login('usr-100000001', { sessionLifetimeSeconds: 3600 })
const server = spawn(
  process.execPath,
  [
    '--cpu-prof',
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
  amount: 30_000,
  connections: 10,
  headers: { cookie: realisticCookies(sessionToken) },
})
await new Promise((resolve) => {
  server.once('exit', resolve)
  server.kill('SIGTERM')
})
await fake.close()

const file = readdirSync(dir).find((name) => name.endsWith('.cpuprofile'))!
const profile = JSON.parse(readFileSync(`${dir}/${file}`, 'utf8')) as { nodes: ProfileNode[] }
const total = profile.nodes.reduce((sum, node) => sum + (node.hitCount ?? 0), 0)
const byFunction = new Map<string, number>()
for (const node of profile.nodes) {
  const url = node.callFrame.url
  const where = url.startsWith(SOURCES)
    ? `src/${url.slice(SOURCES.length)}`
    : url.replace(/^.*\/node_modules\//, '')
  const key = `${node.callFrame.functionName || '(anonymous)'} ${where}:${node.callFrame.lineNumber + 1}`
  byFunction.set(key, (byFunction.get(key) ?? 0) + (node.hitCount ?? 0))
}
const rows = [...byFunction].sort((a, b) => b[1] - a[1])
console.log(`samples: ${total}; top 15 by self time:`)
for (const [name, hits] of rows.slice(0, 15))
  console.log(`${((100 * hits) / total).toFixed(1).padStart(5)} %  ${name}`)
const ours = rows.filter(([name]) => name.includes(' src/'))
const oursShare = ours.reduce((sum, [, hits]) => sum + hits, 0) / total
console.log(`\ncorbado-keepalive (src/) self time: ${(100 * oursShare).toFixed(2)} % of samples`)
for (const [name, hits] of ours.slice(0, 8))
  console.log(`${((100 * hits) / total).toFixed(2).padStart(6)} %  ${name}`)
