import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { expect, it } from 'vitest'

const run = promisify(execFile)
const FIXTURE = fileURLToPath(new URL('./fixtures/string-prototype.ts', import.meta.url))

// While `String.prototype` is slow, every string method call in optimised code is a generic
// property load, the keep-alive's hot path included (bench/INSTRUCTIONS.md).
it('leaves String.prototype fast in V8 after ioredis 6 made it slow', async () => {
  const { stdout } = await run(
    process.execPath,
    ['--allow-natives-syntax', '--import', 'tsx', FIXTURE],
    { timeout: 30_000 },
  )
  expect(JSON.parse(stdout)).toEqual({ before: true, loaded: false, coordinated: true })
})
