/**
 * `npm start` (Express) and `npm run start:koa`: the demo app with the fake Frontend API, or a
 * real Corbado project when `CORBADO_PROJECT_ID` is set. See `config.ts` for the variables.
 */
import { loadConfig, orExitOnConfigError } from './config.js'
import { exitPortInUse, isPortInUse } from './port-in-use.js'
import { startDemo } from './start.js'

const config = orExitOnConfigError(() => loadConfig(process.env))
const framework = process.argv.includes('--koa') ? 'koa' : 'express'
const demo = await startDemo({ ...config, framework }).catch((error: unknown) => {
  if (!isPortInUse(error)) throw error
  exitPortInUse(config.port, framework === 'koa' ? 'npm run start:koa' : 'npm start')
})

const against =
  demo.fake === undefined
    ? `Corbado project ${config.provider.kind === 'corbado' ? config.provider.projectId : ''}`
    : `the fake Frontend API at ${demo.fake.url} (no account, no network)`
console.log(`corbado-keepalive demo (${framework}): ${demo.url}`)
console.log(`  against ${against}`)
if (!config.secureCookies) console.log('  cookies without Secure (DEMO_SECURE_COOKIES=false)')
console.log('  Ctrl+C to stop')

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void demo.close().then(() => process.exit(0))
  })
}
