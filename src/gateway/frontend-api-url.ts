/**
 * The gateway's `publicUrl`: Corbado's browser SDK sends every call after its first two to the
 * `frontendApiUrl` field of the Frontend API's answers, so that field is rewritten to the URL at
 * which browsers reach the gateway. Without it, the SDK's refresh, logout and login go straight to
 * Corbado, without the first-party refresh cookie.
 *
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib'
import { InvalidOptionError } from '../core/errors.js'
import type { Logger } from '../core/types.js'

/** The largest JSON body rewritten, in bytes; a longer one passes through untouched. */
export const MAX_REWRITTEN_BODY_BYTES = 1024 * 1024

/**
 * Validate `publicUrl`: an absolute `http:`/`https:` URL without credentials, query or fragment.
 * Returns it without a trailing slash, or `undefined` when not given.
 *
 * @throws {InvalidOptionError} naming `publicUrl` and showing the value received.
 */
export function resolvePublicUrl(value: unknown): string | undefined {
  if (value === undefined) return undefined
  const url = typeof value === 'string' ? URL.parse(value) : null
  if (
    url === null ||
    (url.protocol !== 'https:' && url.protocol !== 'http:') ||
    url.username !== '' ||
    url.password !== '' ||
    url.search !== '' ||
    url.hash !== '' ||
    /[?#]/.test(value as string)
  ) {
    throw new InvalidOptionError(
      'publicUrl',
      'must be an absolute http(s) URL where browsers reach the gateway, such as "https://app.example.com/.corbado"',
      // A URL with credentials is not shown.
      ...(url !== null && (url.username !== '' || url.password !== '') ? [] : [value]),
    )
  }
  return url.href.replace(/\/+$/, '')
}

/**
 * Set every `frontendApiUrl` of a Frontend API v2 answer to `publicUrl`. These are the top-level
 * field (`SessionConfigRsp`, `ProcessConfigRsp`, `Connect*InitRsp`) and the login flow's
 * `common.frontendApiUrl` (`ProcessResponse`), also inside `processResponse` (`ProcessInitRsp`),
 * per `@corbado/web-core` 3.5.0's `dist/api/v2/api.d.ts`. Returns the new body, or `undefined`
 * when it is not JSON or carries no such string field (it is then sent byte for byte).
 */
export function rewriteFrontendApiUrl(body: string, publicUrl: string): string | undefined {
  let json: unknown
  try {
    json = JSON.parse(body)
  } catch {
    return undefined
  }
  const holders = [json, field(json, 'common'), field(field(json, 'processResponse'), 'common')]
  let changed = 0
  for (const holder of holders) {
    if (isObject(holder) && typeof holder.frontendApiUrl === 'string') {
      holder.frontendApiUrl = publicUrl
      changed += 1
    }
  }
  if (changed === 0) return undefined
  // Every other byte is kept (a re-serialisation could round big numbers) when each occurrence
  // of the key in the text is one of the fields above.
  const occurrences = body.match(FIELD_IN_TEXT)?.length ?? 0
  if (occurrences !== changed) return JSON.stringify(json)
  return body.replace(FIELD_IN_TEXT, (_match, key: string) => `${key}${JSON.stringify(publicUrl)}`)
}

const FIELD_IN_TEXT = /("frontendApiUrl"\s*:\s*)"(?:[^"\\]|\\.)*"/g

let processWarned = false

/**
 * Warn that without `publicUrl` the browser SDK bypasses the gateway: through `logger` when given
 * (once per gateway), else as a Node process warning (once per process).
 */
export function warnWithoutPublicUrl(logger: Logger | undefined): void {
  const message =
    'corbado-keepalive: corbadoGateway has no "publicUrl", so Corbado\'s browser SDK sends ' +
    'refresh, logout and login straight to the Frontend API, bypassing the gateway and its ' +
    'first-party refresh cookie; set it to the URL where browsers reach the gateway'
  if (logger === undefined) {
    if (processWarned) return
    processWarned = true
    process.emitWarning(message, { code: 'CORBADO_GATEWAY_NO_PUBLIC_URL' })
    return
  }
  try {
    logger.warn({ option: 'publicUrl' }, message)
  } catch {
    // A broken logger must not break start-up.
  }
}

/** Asks the Frontend API for a body the gateway can read (it decodes other encodings, too). */
export const IDENTITY_ENCODING = 'identity'

/**
 * When the Frontend API answers JSON, hold the body until it ends and send it with its
 * `frontendApiUrl` rewritten, a matching `Content-Length` and no `Content-Encoding`. Other answers
 * stream through untouched. Call from the proxy's `proxyRes` hook, before headers are copied.
 */
export function rewriteJsonBodies(
  proxyRes: IncomingMessage,
  res: ServerResponse,
  publicUrl: string,
): void {
  const headers = proxyRes.headers
  if (!isJson(headers['content-type'])) return
  // No body to rewrite, and a Content-Length that must stay as it is.
  const status = proxyRes.statusCode ?? 200
  if (status === 204 || status === 304 || res.req.method === 'HEAD') return
  const encoding = (headers['content-encoding'] ?? 'identity').trim().toLowerCase()
  if (!(encoding in DECODERS)) return
  const declared = Number(headers['content-length'] ?? 0)
  if (declared > MAX_REWRITTEN_BODY_BYTES) return
  // The body's length changes; it is sent whole, with its own Content-Length, at `end`.
  delete headers['content-length']
  delete headers['transfer-encoding']
  const write = res.write.bind(res) as (chunk: Buffer) => boolean
  const end = res.end.bind(res) as (chunk?: Buffer) => ServerResponse
  const chunks: Buffer[] = []
  let size = 0
  let passing = false

  res.write = ((chunk: Buffer | string) => {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk
    if (passing) return write(buffer)
    chunks.push(buffer)
    size += buffer.length
    if (size > MAX_REWRITTEN_BODY_BYTES) {
      // Too long to be a Frontend API config: send it as it came.
      passing = true
      return write(Buffer.concat(chunks.splice(0)))
    }
    return true
  }) as ServerResponse['write']

  res.end = ((chunk?: Buffer | string | (() => void)) => {
    if (chunk !== undefined && typeof chunk !== 'function') res.write(chunk)
    if (passing) return end()
    const raw = Buffer.concat(chunks)
    const rewritten = decodeAndRewrite(raw, encoding, publicUrl)
    if (rewritten === undefined) {
      if (!res.headersSent) res.setHeader('content-length', raw.length)
      return end(raw)
    }
    if (!res.headersSent) {
      res.removeHeader('content-encoding')
      res.setHeader('content-length', rewritten.length)
    }
    return end(rewritten)
  }) as ServerResponse['end']
}

const DECODERS: Readonly<Record<string, (raw: Buffer) => Buffer>> = {
  identity: (raw) => raw,
  gzip: (raw) => gunzipSync(raw, { maxOutputLength: MAX_REWRITTEN_BODY_BYTES }),
  'x-gzip': (raw) => gunzipSync(raw, { maxOutputLength: MAX_REWRITTEN_BODY_BYTES }),
  deflate: (raw) => inflateSync(raw, { maxOutputLength: MAX_REWRITTEN_BODY_BYTES }),
  br: (raw) => brotliDecompressSync(raw, { maxOutputLength: MAX_REWRITTEN_BODY_BYTES }),
}

function decodeAndRewrite(raw: Buffer, encoding: string, publicUrl: string): Buffer | undefined {
  let text: string
  try {
    const decode = DECODERS[encoding]
    if (decode === undefined) return undefined
    text = decode(raw).toString('utf8')
  } catch {
    return undefined
  }
  const rewritten = rewriteFrontendApiUrl(text, publicUrl)
  return rewritten === undefined ? undefined : Buffer.from(rewritten)
}

function isJson(contentType: string | undefined): boolean {
  const type = (contentType ?? '').split(';', 1)[0]?.trim().toLowerCase() ?? ''
  return type === 'application/json' || type.endsWith('+json')
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function field(value: unknown, name: string): unknown {
  return isObject(value) ? value[name] : undefined
}
