/**
 * `npm run bench:compare -- <baseline> <subject> [rounds] [rate]`: one comparison of two setups
 * of bench/server.ts, measured as the hot path measures them (two processes loaded at the same
 * time, at a fixed rate), printing each round's CPU ratio and their median. Comparing a setup
 * with itself (an A/A run) shows how far the method reads from 1.000 when nothing differs.
 */
import { startFakeCorbado } from '../src/testing/index.js'
import { load, loadPaired } from './lib/load.js'
import { pinToLoadCpu, startServer } from './lib/processes.js'
import { median } from './lib/stats.js'
import { realisticCookies, startBackend } from './sections/hot-path.js'

pinToLoadCpu(import.meta.url)

const [baseline = 'express-bare', subject = 'express-keepalive', roundsArg, rateArg] =
  process.argv.slice(2)
const rounds = Number(roundsArg ?? 6)
const rate = Number(rateArg ?? 1000)
const amount = 1500

const fake = await startFakeCorbado()
try {
  const { sessionToken } = fake.login('usr-100000001', { sessionLifetimeSeconds: 3600 })
  const headers = { cookie: realisticCookies(sessionToken) }
  const backend = await startBackend()
  const args = { 'project-id': fake.projectId, 'frontend-api-url': fake.url, backend: backend.url }
  const servers = await Promise.all([
    startServer({ ...args, setup: baseline }),
    startServer({ ...args, setup: subject }),
  ])
  try {
    for (const server of servers) await load(server, { amount, connections: 10, headers })
    const ratios: number[] = []
    const micros: [number[], number[]] = [[], []]
    for (let round = 0; round < rounds; round++) {
      const [a, b] = await loadPaired(servers[0], servers[1], { amount, rate, headers, round })
      micros[0].push(a.cpuMicrosPerRequest)
      micros[1].push(b.cpuMicrosPerRequest)
      ratios.push(b.cpuMicrosPerRequest / a.cpuMicrosPerRequest)
      console.log(
        `round ${round + 1}: ${a.cpuMicrosPerRequest.toFixed(1)} µs, ${b.cpuMicrosPerRequest.toFixed(1)} µs, ratio ${ratios.at(-1)!.toFixed(3)}`,
      )
    }
    console.log(
      `${subject} ÷ ${baseline}: median ${median(ratios).toFixed(3)} (${median(micros[1]).toFixed(1)} ÷ ${median(micros[0]).toFixed(1)} µs)`,
    )
  } finally {
    await Promise.all(servers.map((server) => server.stop()))
    await backend.close()
  }
} finally {
  await fake.close()
}
