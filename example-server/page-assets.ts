/**
 * The demo page's inline style and script. The script only ticks the countdown and, while
 * "live" is ticked, re-fetches `GET /panel`: each poll is an ordinary request, so it is what
 * keeps the session alive while the page is open.
 *
 * @module
 */

/** The page's CSS. */
export const PAGE_STYLE = `
:root { font-family: system-ui, sans-serif; color: #1d2330; background: #f4f6fa; }
body { max-width: 980px; margin: 0 auto; padding: 24px; }
h1 { font-size: 1.5rem; margin: 0 0 4px; }
h2 { font-size: 1.15rem; margin: 0 0 12px; }
h3 { font-size: 0.95rem; margin: 16px 0 6px; }
code { font-size: 0.85em; background: #eef1f6; padding: 1px 4px; border-radius: 4px; }
.muted { color: #667085; font-weight: normal; }
.live { font-size: 0.85rem; color: #667085; }
.grid { display: grid; grid-template-columns: 1fr 1.15fr; gap: 16px; margin-top: 16px; }
.card { background: #fff; border: 1px solid #e3e7ee; border-radius: 10px; padding: 18px; }
.who { display: flex; gap: 12px; align-items: center; margin-bottom: 14px; }
.avatar { width: 44px; height: 44px; border-radius: 50%; background: #3b5bdb; color: #fff;
  display: grid; place-items: center; font-size: 1.3rem; font-weight: 600; }
.countdown { font-size: 1.05rem; margin: 8px 0; }
.countdown span { font-weight: 700; font-variant-numeric: tabular-nums; }
.countdown span.due { color: #c26a00; }
.bar { position: relative; height: 10px; background: #eef1f6; border-radius: 5px; overflow: hidden; }
.bar .fill { position: absolute; inset: 0 auto 0 0; background: #37b24d; width: 100%; }
.bar .threshold { position: absolute; inset: 0 auto 0 0; background: rgba(240, 140, 0, 0.35); }
.badge { display: inline-block; padding: 4px 8px; border-radius: 6px; background: #eef1f6; font-size: 0.9rem; }
.badge.ok { background: #d3f9d8; }
.actions { display: flex; flex-wrap: wrap; gap: 8px; margin-top: 14px; }
.actions form { margin: 0; }
button { font: inherit; border: 0; border-radius: 6px; padding: 7px 12px; cursor: pointer;
  background: #3b5bdb; color: #fff; }
button.secondary { background: #eef1f6; color: #1d2330; }
button.danger { background: #e03131; }
.banner { background: #fff4e6; border: 1px solid #ffc078; border-radius: 8px; padding: 10px 14px; margin: 16px 0 0; }
.note { background: #fff9db; border-radius: 6px; padding: 8px 10px; }
.outcome { font-weight: 600; }
table { border-collapse: collapse; width: 100%; font-size: 0.9rem; }
th { text-align: left; white-space: nowrap; padding: 4px 10px 4px 0; vertical-align: top; }
td { padding: 4px 10px 4px 0; vertical-align: top; }
td:nth-child(2) { font-weight: 700; font-variant-numeric: tabular-nums; }
.events { padding-left: 0; list-style: none; margin: 0; font-size: 0.85rem; }
.events li { padding: 2px 0; }
.events time { color: #667085; font-variant-numeric: tabular-nums; margin-right: 6px; }
`

/** The page's script: countdown and polling. Plain ES2020, no build. */
export const PAGE_SCRIPT = `
const live = document.getElementById('live')
const panel = document.getElementById('panel')
function tick() {
  const left = document.querySelector('[data-expires-at]')
  if (left === null) return
  const ms = Number(left.dataset.expiresAt) - Date.now()
  left.textContent = ms > 0 ? (ms / 1000).toFixed(1) + ' s' : 'expired'
  left.classList.toggle('due', ms <= Number(left.dataset.thresholdMs))
  const bar = document.querySelector('.bar')
  const fill = bar && bar.querySelector('.fill')
  if (fill) fill.style.width = Math.max(0, Math.min(100, (ms * 100) / Number(bar.dataset.lifetimeMs))) + '%'
}
async function poll() {
  if (!live.checked || document.hidden) return
  try {
    const response = await fetch('/panel', { cache: 'no-store' })
    if (response.ok) {
      panel.innerHTML = await response.text()
      tick()
    }
  } catch {
    // The server is restarting or gone; the next poll tries again.
  }
}
tick()
setInterval(tick, 200)
setInterval(poll, 2000)
`
