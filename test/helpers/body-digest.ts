import { createHash } from 'node:crypto'
import type { IncomingMessage } from 'node:http'

/** The size and SHA-256 of a body. */
export interface BodyDigest {
  readonly size: number
  readonly sha256: string
}

/** Digest a buffer. */
export function digestOf(data: Buffer): BodyDigest {
  return { size: data.length, sha256: createHash('sha256').update(data).digest('hex') }
}

/** Read a request body as it streams in, keeping only its size and SHA-256 (never the body). */
export async function digestBody(req: IncomingMessage): Promise<BodyDigest> {
  const hash = createHash('sha256')
  let size = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length
    hash.update(chunk)
  }
  return { size, sha256: hash.digest('hex') }
}
