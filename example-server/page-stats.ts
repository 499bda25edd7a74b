/**
 * The demo page's keep-alive card: the middleware's `stats()` and its recent events.
 *
 * @module
 */
import type { ActivityEvent } from './activity.js'
import { clock, html } from './html.js'
import type { Html } from './html.js'
import type { PageModel } from './page.js'

/** The keep-alive card: last outcome, `stats()` and recent events. */
export function renderStats(model: PageModel): Html {
  const s = model.stats
  const failures = Object.entries(s.failures).filter(([, count]) => count > 0)
  const failureTotal = failures.reduce((sum, [, count]) => sum + count, 0)
  const cache = s.verifiedTokenCache
  return html`<h2>Keep-alive</h2>
    <p class="outcome" data-testid="last-outcome">Last: ${lastOutcome(model.events)}</p>
    <table>
      <tr>
        <th>Refreshes</th>
        <td data-testid="refreshes">${s.refreshes}</td>
        <td class="muted">requests that received a new session-token</td>
      </tr>
      <tr>
        <th>Upstream calls</th>
        <td>${s.upstreamRefreshes}</td>
        <td class="muted"><code>POST /v2/me/refresh</code> made by this server</td>
      </tr>
      <tr>
        <th>Coalesced</th>
        <td>${s.coalesced}</td>
        <td class="muted">requests that reused another's refresh</td>
      </tr>
      <tr>
        <th>Failures</th>
        <td data-testid="failures">${failureTotal}</td>
        <td class="muted">
          ${
            failures.length === 0
              ? 'served fail-open'
              : failures.map(([reason, count]) => `${reason} ${count}`).join(', ')
          }
        </td>
      </tr>
      <tr>
        <th>Sessions ended</th>
        <td>${s.sessionsEnded}</td>
        <td class="muted">refresh-token rejected (401/403)</td>
      </tr>
      <tr>
        <th>Token cache</th>
        <td>${Math.round(cache.hitRate * 100)}%</td>
        <td class="muted">
          hit rate of verified tokens (${cache.hits} hits, ${cache.misses} misses, ${cache.size}
          cached)
        </td>
      </tr>
      <tr>
        <th>Circuit</th>
        <td>${s.circuit}</td>
        <td class="muted">open: refreshes paused after repeated failures</td>
      </tr>
    </table>
    <h3>Recent events <span class="muted">(all users of this server)</span></h3>
    <ol class="events">
      ${
        model.events.length === 0
          ? html`<li class="muted">none yet</li>`
          : model.events.map(
              (event) => html`<li><time>${clock(event.at)}</time> ${describe(event)}</li>`,
            )
      }
    </ol>`
}

function lastOutcome(events: readonly ActivityEvent[]): string {
  const last = events.find((event) => event.kind !== 'circuit')
  return last === undefined ? 'no refresh yet' : `${clock(last.at)}, ${describe(last)}`
}

function describe(event: ActivityEvent): string {
  switch (event.kind) {
    case 'refreshed':
      return `refreshed ${event.userId}${event.coalesced ? ' (coalesced)' : ''} in ${Math.round(event.durationMs)} ms, new expiry ${clock(event.expiresAt)}`
    case 'failed':
      return `refresh failed: ${event.reason}${event.status === undefined ? '' : ` (HTTP ${event.status})`}, served fail-open`
    case 'ended':
      return `session of ${event.userId ?? 'an unknown user'} ended by the provider (HTTP ${event.status})`
    case 'circuit':
      return `circuit ${event.state}`
    case 'error':
      return `error ${event.code}`
  }
}
