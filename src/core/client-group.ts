/**
 * The group a client address counts in for the refresh rate limit: an IPv6 address counts as
 * its /64, because one subscriber usually holds a whole /64 and can send from any address in it;
 * an IPv4-mapped IPv6 address counts as the IPv4 address. Anything else (an IPv4 address, or a
 * key from `refreshRateLimit.clientKey` that is no address) is its own group.
 *
 * @module
 */

const HEXTET = /^[0-9a-f]{1,4}$/

/** The rate-limit group of `clientKey`, e.g. `2001:db8:0:1::/64` for `2001:db8::1:0:0:7`. */
export function clientGroupOf(clientKey: string): string {
  if (!clientKey.includes(':')) return clientKey
  const hextets = expandIpv6(clientKey)
  if (hextets === undefined) return clientKey
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(clientKey)
  if (mapped?.[1] !== undefined) return mapped[1]
  return `${hextets.slice(0, 4).join(':')}::/64`
}

/** The eight hextets of an IPv6 literal (zone and brackets allowed), lower case, no leading zeros. */
function expandIpv6(input: string): string[] | undefined {
  let address = input.toLowerCase()
  if (address.startsWith('[') && address.endsWith(']')) address = address.slice(1, -1)
  address = address.split('%', 1)[0] ?? ''
  // An embedded IPv4 tail counts as two hextets.
  const tail = /(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(address)
  if (tail !== null) {
    const bytes = tail.slice(1).map(Number)
    if (bytes.some((byte) => byte > 255)) return undefined
    const [a = 0, b = 0, c = 0, d = 0] = bytes
    address =
      address.slice(0, tail.index) + ((a << 8) | b).toString(16) + ':' + ((c << 8) | d).toString(16)
  }
  const halves = address.split('::')
  if (halves.length > 2) return undefined
  const head = halves[0] === '' ? [] : (halves[0] ?? '').split(':')
  const rest = halves.length === 2 ? (halves[1] === '' ? [] : (halves[1] ?? '').split(':')) : []
  const missing = 8 - head.length - rest.length
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined
  const hextets = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...rest]
  if (!hextets.every((hextet) => HEXTET.test(hextet))) return undefined
  return hextets.map((hextet) => parseInt(hextet, 16).toString(16))
}
