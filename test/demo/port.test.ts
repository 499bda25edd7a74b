/**
 * `npm start` and `npm run start:sdk` on a port another process holds, or with a `PORT` that is
 * no port: one line naming the port or the value, exit code 1, no stack trace.
 */
import { spawn } from 'node:child_process'
import { createServer } from 'node:http'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ROOT } from '../helpers/dist.js'
import { listen } from '../helpers/http.js'

interface Exited {
  code: number | null
  stdout: string
  stderr: string
}

/** Run a demo entry point as its npm script does (through tsx), with `PORT` set. */
function runDemo(script: string, port: string): Promise<Exited> {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^(CORBADO_|PORT$|DEMO_)/.test(name)),
  )
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, script)], {
    cwd: ROOT,
    env: { ...env, PORT: port },
  })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000)
  return new Promise((resolve) => {
    child.once('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })
}

describe.each([
  ['npm start', 'example-server/index.ts'],
  ['npm run start:sdk', 'example-server/sdk-index.ts'],
])('%s on a port in use', (_name, script) => {
  it('prints one line naming the port and PORT=, and exits 1', { timeout: 40_000 }, async () => {
    const taken = await listen(createServer())
    try {
      const port = new URL(taken.url).port
      const run = await runDemo(script, port)
      expect(run.code).toBe(1)
      expect(run.stdout).toBe('')
      const lines = run.stderr.trimEnd().split('\n')
      expect(lines).toHaveLength(1)
      expect(lines[0]).toContain(`port ${port}`)
      expect(lines[0]).toMatch(/PORT=/)
    } finally {
      await taken.close()
    }
  })

  it.each(['abc', '70000', '-1', '3000.5'])(
    'prints one line naming PORT and the value %s, and exits 1',
    { timeout: 40_000 },
    async (value) => {
      const run = await runDemo(script, value)
      expect(run.code).toBe(1)
      expect(run.stdout).toBe('')
      expect(run.stderr).toBe(
        `corbado-keepalive demo: PORT must be an integer from 0 to 65535, got "${value}"\n`,
      )
    },
  )
})
