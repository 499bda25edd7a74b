/**
 * `npm run start:sdk`: Corbado's real browser SDK and the keep-alive side by side, against the
 * fake Frontend API. `PORT` (default 8443) picks the port.
 */
import { orExitOnConfigError, portFrom } from './config.js'
import { exitPortInUse, isPortInUse } from './port-in-use.js'
import { startSdkDemo } from './sdk-demo.js'

const port = orExitOnConfigError(() => portFrom(process.env.PORT, 8443))
const demo = await startSdkDemo(port).catch((error: unknown) => {
  if (!isPortInUse(error)) throw error
  exitPortInUse(port, 'npm run start:sdk')
})
console.log(`corbado-keepalive SDK demo: ${demo.url}/`)
console.log('  The certificate is self-signed, made at start-up. Accept it twice, for both names:')
console.log(
  `  1. https://${demo.fake.projectId}.localhost:${String(demo.port)}/.corbado/v2/session-config`,
)
console.log(`  2. ${demo.url}/`)
console.log(
  '  Then: Sign in, wait or reload, "Close the tab", and watch both sides stay signed in.',
)
console.log('  Ctrl+C to stop')

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void demo.close().then(() => process.exit(0))
  })
}
