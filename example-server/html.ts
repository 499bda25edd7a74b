/**
 * Small helpers for server-rendered HTML.
 *
 * @module
 */

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
}

/** Escape text for an HTML text node or a quoted attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ESCAPES[char] ?? char)
}

/** A tagged template that escapes every interpolated value except {@link Html} fragments. */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): Html {
  let out = strings[0] ?? ''
  values.forEach((value, index) => {
    out += render(value) + (strings[index + 1] ?? '')
  })
  return new Html(out)
}

/** Markup that is already safe. */
export class Html {
  constructor(readonly markup: string) {}
  toString(): string {
    return this.markup
  }
}

/** What {@link html} interpolates: text is escaped, {@link Html} inserted as is. */
export type HtmlValue = Html | string | number | boolean | null | undefined | readonly HtmlValue[]

function render(value: HtmlValue): string {
  if (value instanceof Html) return value.markup
  if (isList(value)) return value.map(render).join('')
  if (value === undefined || value === null || value === false) return ''
  return escapeHtml(String(value))
}

/** `HH:MM:SS`, 24 h, the server's time zone. */
export function clock(date: Date): string {
  return date.toLocaleTimeString('en-GB', { hour12: false })
}

/** Trusted markup (constants of this demo), inserted as is. */
export function raw(markup: string): Html {
  return new Html(markup)
}

function isList(value: HtmlValue): value is readonly HtmlValue[] {
  return Array.isArray(value)
}
