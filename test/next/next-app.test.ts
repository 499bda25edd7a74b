/**
 * A real Next.js 16 app (test/next-app), built with `next build` and served with `next start`,
 * behind `corbado-keepalive/next`: once as `proxy.ts` (Node.js runtime), once as the deprecated
 * `middleware.ts` (Edge runtime). The fake Frontend API runs first; the app gets its URL through
 * the environment.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { findChromium, launchChromium } from '../../example-server/browser.js'
import { startFakeCorbado } from '../../src/testing/index.js'
import type { FakeCorbado } from '../../src/testing/index.js'
import { cookies, setCookieOf, valueOf } from '../helpers/http.js'
import { buildNextApp, startNextApp } from '../helpers/next-app.js'
import type { BuiltNextApp, NextVariant, RunningNextApp } from '../helpers/next-app.js'
import { nearExpirySession } from '../helpers/sessions.js'

const SESSION = 'cbo_session_token'
const REFRESH = 'cbo_refresh_token'
/** `next build` on a loaded two-core machine takes one to two minutes. */
const BUILD_TIMEOUT_MS = 600_000

/** The tail of the token a page or action rendered (`tail:<last 24 chars>:end`). */
function renderedTail(body: string): string | undefined {
  return /tail:([\w-]*):end/.exec(body)?.[1]
}

function renderedUser(body: string): string | undefined {
  return /data-testid="user">([^<]*)</.exec(body)?.[1]
}

describe.each(['proxy', 'middleware'] as const)(
  'Next.js 16 app with %s.ts',
  (variant: NextVariant) => {
    let fake: FakeCorbado
    let built: BuiltNextApp
    let app: RunningNextApp

    beforeAll(async () => {
      built = await buildNextApp(variant)
      console.info(
        `next build (${variant}): ${built.buildSeconds === undefined ? 'reused' : `${built.buildSeconds.toFixed(1)} s`}`,
      )
      fake = await startFakeCorbado()
      app = await startNextApp(built, {
        CORBADO_PROJECT_ID: fake.projectId,
        CORBADO_FRONTEND_API_URL: fake.url,
      })
    }, BUILD_TIMEOUT_MS)

    afterAll(async () => {
      await (app as RunningNextApp | undefined)?.close()
      await (fake as FakeCorbado | undefined)?.close()
    })

    async function get(path: string, headers: Record<string, string> = {}): Promise<Response> {
      return fetch(`${app.url}${path}`, { headers, redirect: 'manual' })
    }

    it('builds the keep-alive for the runtime it runs on', () => {
      const manifest = JSON.parse(
        readFileSync(join(built.dir, '.next', 'server', 'middleware-manifest.json'), 'utf8'),
      ) as { middleware: Record<string, unknown> }
      // Edge middleware is listed in the manifest; the Node.js proxy is not.
      expect(Object.keys(manifest.middleware)).toEqual(variant === 'middleware' ? ['/'] : [])
    })

    it('lets the pages read a session the proxy verified without verifying it again', async () => {
      // The first requests to a fresh app: each process that verifies a token downloads the keys.
      const session = nearExpirySession(fake, 'usr-100')
      const body = await (await get('/', { cookie: session.header })).text()
      expect(renderedUser(body)).toBe('usr-100')
      const downloads = fake.calls.filter((call) => call.path.endsWith('/.well-known/jwks')).length
      // proxy.ts shares the Node.js process (and globalThis) with the pages: only the proxy
      // verifies. The Edge sandbox has a globalThis of its own: the pages verify once more.
      expect(downloads).toBe(variant === 'proxy' ? 1 : 2)
    })

    it('renders a near-expiry session with the fresh token, and the browser receives the same token', async () => {
      const session = nearExpirySession(fake, 'usr-101')
      fake.resetCalls()
      const response = await get('/', { cookie: session.header })
      const body = await response.text()
      const fresh = valueOf(setCookieOf(response, SESSION))
      expect(response.status).toBe(200)
      expect(fake.refreshCount).toBe(1)
      expect(fresh).toBeDefined()
      expect(fresh).not.toBe(session.sessionToken)
      expect(renderedUser(body)).toBe('usr-101')
      expect(renderedTail(body)).toBe(fresh!.slice(-24))
      expect(response.headers.get('cache-control')).toContain('no-store')
    })

    it('restores a returning user with only the refresh cookie before rendering', async () => {
      const { refreshToken } = fake.login('usr-102')
      fake.resetCalls()
      const response = await get('/other', { cookie: cookies({ [REFRESH]: refreshToken }) })
      const body = await response.text()
      const fresh = valueOf(setCookieOf(response, SESSION))
      expect(fake.refreshCount).toBe(1)
      expect(renderedUser(body)).toBe('usr-102')
      expect(renderedTail(body)).toBe(fresh!.slice(-24))
    })

    it('refreshes 20 parallel RSC fetches of one expiring session once, into one token', async () => {
      const session = nearExpirySession(fake, 'usr-103')
      fake.resetCalls()
      // `_rsc` with no value is the cache-busting parameter Next expects of an RSC request that
      // carries no router headers; without it Next answers 307.
      const responses = await Promise.all(
        Array.from({ length: 20 }, () => get('/?_rsc', { cookie: session.header, rsc: '1' })),
      )
      const bodies = await Promise.all(responses.map((response) => response.text()))
      const tokens = new Set(responses.map((response) => valueOf(setCookieOf(response, SESSION))))
      expect(fake.refreshCount).toBe(1)
      expect(tokens.size).toBe(1)
      const [token] = [...tokens]
      expect(token).toBeDefined()
      expect(
        responses.every((response) =>
          response.headers.get('content-type')?.includes('text/x-component'),
        ),
      ).toBe(true)
      expect(new Set(bodies.map(renderedTail))).toEqual(new Set([token!.slice(-24)]))
    })

    it('clears a revoked session and renders the page anonymous', async () => {
      const session = nearExpirySession(fake, 'usr-104')
      fake.revoke(session.refreshToken)
      const response = await get('/', { cookie: session.header })
      const body = await response.text()
      expect(renderedUser(body)).toBe('anonymous')
      const cleared = setCookieOf(response, SESSION)
      expect(valueOf(cleared)).toBe('')
      expect(cleared).toMatch(/Max-Age=0/i)
    })

    it('lets a server action read the session refreshed for its own POST', async () => {
      const manifest = JSON.parse(
        readFileSync(join(built.dir, '.next', 'server', 'server-reference-manifest.json'), 'utf8'),
      ) as { node: Record<string, { exportedName: string }> }
      const actionId = Object.entries(manifest.node).find(
        ([, action]) => action.exportedName === 'whoAmI',
      )?.[0]
      expect(actionId).toBeDefined()
      const session = nearExpirySession(fake, 'usr-105')
      fake.resetCalls()
      const response = await fetch(`${app.url}/`, {
        method: 'POST',
        headers: {
          cookie: session.header,
          'next-action': actionId!,
          accept: 'text/x-component',
          'content-type': 'text/plain;charset=UTF-8',
        },
        body: '[]',
      })
      const body = await response.text()
      const fresh = valueOf(setCookieOf(response, SESSION))
      expect(response.status).toBe(200)
      expect(fake.refreshCount).toBe(1)
      expect(body).toContain(`action:usr-105:${fresh!.slice(-24)}:end`)
    })

    it('passes anonymous requests untouched: no Set-Cookie, no Cache-Control change', async () => {
      const anonymous = await get('/about')
      const signedIn = await get('/about', { cookie: nearExpirySession(fake, 'usr-106').header })
      expect(anonymous.headers.getSetCookie()).toEqual([])
      // The keep-alive marks a response that carries a session cookie private; Next's own
      // header for a static page stays on an anonymous one.
      expect(anonymous.headers.get('cache-control')).not.toContain('private')
      expect(signedIn.headers.get('cache-control')).toContain('private')
      const page = await get('/')
      expect(page.headers.getSetCookie()).toEqual([])
      expect(renderedUser(await page.text())).toBe('anonymous')
    })

    it('never runs the keep-alive for static assets (the documented matcher)', async () => {
      const html = await (await get('/about')).text()
      const asset = /\/_next\/static\/[^"]+\.js/.exec(html)?.[0]
      expect(asset).toBeDefined()
      const session = nearExpirySession(fake, 'usr-107')
      fake.resetCalls()
      const response = await get(asset!, { cookie: session.header })
      await response.arrayBuffer()
      expect(response.status).toBe(200)
      expect(response.headers.getSetCookie()).toEqual([])
      expect(fake.refreshCount).toBe(0)
    })

    it("removes a client's headers under Next's instruction names before the render", async () => {
      const forged = fake.mintSessionToken('usr-666')
      const smuggled = {
        'x-middleware-request-cookie': `${SESSION}=${forged}`,
        'x-middleware-request-x-user': 'usr-666',
      }
      const anonymous = (await (await get('/api/session', smuggled)).json()) as {
        userId: string | null
        middlewareHeaders: string[]
      }
      expect(anonymous).toMatchObject({ userId: null, middlewareHeaders: [] })
      const session = nearExpirySession(fake, 'usr-108')
      const signedIn = (await (
        await get('/api/session', { ...smuggled, cookie: session.header })
      ).json()) as { userId: string | null; middlewareHeaders: string[] }
      expect(signedIn).toMatchObject({ userId: 'usr-108', middlewareHeaders: [] })
    })

    if (variant === 'proxy') {
      it('keeps the user signed in through a client-side navigation after the token expired (Chromium)', async () => {
        const chromiumPath = findChromium()
        if (chromiumPath === undefined)
          throw new Error('chromium not found: apt-get install chromium')
        const browser: Browser = await launchChromium(chromiumPath)
        try {
          const context = await browser.newContext()
          const { sessionToken, refreshToken } = fake.login('usr-109', {
            sessionLifetimeSeconds: 2,
          })
          await context.addCookies([
            { name: SESSION, value: sessionToken, url: app.url },
            { name: REFRESH, value: refreshToken, url: app.url, httpOnly: true },
          ])
          const page = await context.newPage()
          await page.goto(app.url)
          expect(await page.getByTestId('user').textContent()).toBe('usr-109')
          const before = (await context.cookies(app.url)).find((c) => c.name === SESSION)?.value
          await page.evaluate(() => Object.assign(globalThis, { loadedOnce: true }))
          // Past the 2 s lifetime: the cookie (Expires = exp) is gone, only the refresh-token is left.
          await page.waitForTimeout(2500)
          fake.resetCalls()
          await page.getByRole('link', { name: 'Other page' }).click()
          await page.getByRole('heading', { name: 'Other' }).waitFor()
          expect(await page.evaluate(() => 'loadedOnce' in globalThis)).toBe(true)
          expect(await page.getByTestId('user').textContent()).toBe('usr-109')
          expect(fake.refreshCount).toBe(1)
          const after = (await context.cookies(app.url)).find((c) => c.name === SESSION)?.value
          expect(after).toBeDefined()
          expect(after).not.toBe(before)
          expect(await page.getByTestId('token-tail').textContent()).toBe(
            `tail:${after!.slice(-24)}:end`,
          )
        } finally {
          await browser.close()
        }
      })
    }
  },
)
