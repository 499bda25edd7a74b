/**
 * `npm start`: the fake Corbado Frontend API and a minimal Express app using corbado-keepalive.
 * No Corbado account and no network needed.
 */
import express from 'express'
import { corbadoKeepAlive } from '../src/express.js'
import { startFakeCorbado } from '../src/testing/index.js'

const port = Number(process.env.PORT ?? 3000)
const fake = await startFakeCorbado({ sessionLifetimeSeconds: 20 })
const app = express()
const keepAlive = corbadoKeepAlive({
  projectId: fake.projectId,
  frontendApiUrl: fake.url,
  refreshBeforeExpirySeconds: 10,
  cookie: { secure: false },
})
app.use(keepAlive)

app.get('/login', (_req, res) => {
  const { refreshToken } = fake.login('usr-1', { name: 'Ada Lovelace', email: 'ada@example.com' })
  // As a Corbado login ends: the refresh-token cookie is set, the session cookie comes next request.
  res.cookie('cbo_refresh_token', refreshToken, { httpOnly: true, sameSite: 'lax', path: '/' })
  res.redirect('/')
})

app.get('/', (req, res) => {
  const session = req.corbadoSession
  res.type('html').send(
    session === undefined
      ? '<p>Anonymous. <a href="/login">Sign in as Ada</a></p>'
      : `<p>Signed in as ${session.claims.name ?? session.userId}; token expires ${session.expiresAt.toISOString()}` +
          ` (refreshed on this request: ${session.refreshed}). Reload after 10 s to see a refresh.</p>` +
          `<pre>${JSON.stringify(keepAlive.stats(), null, 2)}</pre>`,
  )
})

app.listen(port, '127.0.0.1', () => {
  console.log(`corbado-keepalive demo: http://127.0.0.1:${port} (fake Frontend API at ${fake.url})`)
})
