/**
 * scripts/test-services.sh, which `npm test` runs vitest under: it starts a Redis when none answers
 * and stops that one (only that one) however the tests end. Each test uses a port of its own, never
 * the machine's 6379.
 */
import { spawn } from 'node:child_process'
import { createConnection, createServer } from 'node:net'
import type { AddressInfo, Server } from 'node:net'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { startRedisServer } from '../helpers/redis.js'
import type { OwnRedisServer } from '../helpers/redis.js'

const SCRIPT = join(import.meta.dirname, '..', '..', 'scripts', 'test-services.sh')
/** Prints what a Redis at `$REDIS_URL` answers to PING. */
const PING_REDIS_URL = `
  const url = new URL(process.env.REDIS_URL)
  const socket = require('node:net').createConnection(Number(url.port), url.hostname)
  socket.on('connect', () => socket.write('PING\\r\\n'))
  socket.on('data', (reply) => { console.log(process.env.REDIS_URL, reply.toString().trim()); socket.end() })
`

interface ScriptRun {
  readonly pid: number
  stderr(): string
  readonly result: Promise<{ code: number | null; stdout: string; stderr: string }>
}

function runScript(port: number, command: readonly string[]): ScriptRun {
  const env: NodeJS.ProcessEnv = { ...process.env, REDIS_PORT: String(port) }
  delete env.REDIS_URL
  // Any executable stands in for the browser here, so this test never installs Chromium.
  env.CHROMIUM_PATH = process.execPath
  const child = spawn(SCRIPT, command, { env })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  const result = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    child.once('close', (code) => {
      resolve({ code, stdout, stderr })
    })
  })
  return { pid: child.pid!, stderr: () => stderr, result }
}

/** What 127.0.0.1:`port` answers to PING: `+PONG`, or `refused`. */
function pingPort(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = createConnection(port, '127.0.0.1')
    socket.setTimeout(2000)
    socket.on('connect', () => socket.write('PING\r\n'))
    socket.on('data', (reply) => {
      resolve(reply.toString().trim())
      socket.destroy()
    })
    socket.on('timeout', () => {
      resolve('timeout')
      socket.destroy()
    })
    socket.on('error', (error: NodeJS.ErrnoException) => {
      resolve(error.code === 'ECONNREFUSED' ? 'refused' : String(error))
    })
  })
}

async function listening(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return (server.address() as AddressInfo).port
}

async function freePort(): Promise<number> {
  const server = createServer()
  const port = await listening(server)
  await new Promise((resolve) => server.close(resolve))
  return port
}

describe('scripts/test-services.sh', () => {
  let ownRedis: OwnRedisServer | undefined
  let silent: Server | undefined
  afterEach(async () => {
    await ownRedis?.kill()
    ownRedis = undefined
    silent?.close()
    silent = undefined
  })

  it('starts a Redis where none answers, hands the command its URL, and stops it afterwards', async () => {
    const port = await freePort()
    expect(await pingPort(port)).toBe('refused')

    const { code, stdout, stderr } = await runScript(port, [process.execPath, '-e', PING_REDIS_URL])
      .result

    expect(code, stderr).toBe(0)
    expect(stdout.trim()).toBe(`redis://127.0.0.1:${String(port)} +PONG`)
    expect(await pingPort(port)).toBe('refused')
  })

  it("stops the Redis it started when the command fails, and exits with the command's status", async () => {
    const port = await freePort()

    const { code } = await runScript(port, ['sh', '-c', 'exit 3']).result

    expect(code).toBe(3)
    expect(await pingPort(port)).toBe('refused')
  })

  it('stops the command and its Redis when it is terminated mid-run', async () => {
    const port = await freePort()
    const run = runScript(port, ['sleep', '60'])
    await expect.poll(() => run.stderr(), { timeout: 10_000 }).toContain('started redis-server')
    expect(await pingPort(port)).toBe('+PONG')

    process.kill(run.pid, 'SIGTERM')
    const { code } = await run.result

    expect(code).not.toBe(0)
    expect(await pingPort(port)).toBe('refused')
  })

  it('leaves a Redis it did not start running', async () => {
    ownRedis = await startRedisServer()
    const port = Number(new URL(ownRedis.url).port)

    const { code, stdout } = await runScript(port, [process.execPath, '-e', PING_REDIS_URL]).result

    expect(code).toBe(0)
    expect(stdout).toContain('+PONG')
    expect(await pingPort(port)).toBe('+PONG')
  })

  it('stops with one line naming the way out when the port is held by something else', async () => {
    silent = createServer(() => undefined)
    const port = await listening(silent)

    const { code, stdout, stderr } = await runScript(port, ['true']).result

    expect(code).toBe(1)
    expect(stdout).toBe('')
    expect(stderr.trim().split('\n')).toEqual([
      expect.stringMatching(
        new RegExp(
          `^test-services: redis-server did not start on 127\\.0\\.0\\.1:${String(port)} .*: ` +
            'free the port, or run with REDIS_PORT=<another port>$',
        ),
      ),
    ])
  })
})
