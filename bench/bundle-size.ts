/**
 * The size `corbado-keepalive/fetch` adds to an edge bundle: the entry with every dependency
 * (jose, cookie), bundled for a Web runtime and minified, raw and gzipped. Goal: ≤ 25 KB gzipped.
 *
 * `npm run bench:size`; prints one JSON line.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { bundleForWeb } from '../test/helpers/bundle.js'

const GOAL_GZIPPED_BYTES = 25 * 1024

/** Raw and gzipped (level 9) bytes of the minified fetch entry with its dependencies. */
export async function fetchBundleSize(): Promise<{ rawBytes: number; gzippedBytes: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'corbado-keepalive-size-'))
  try {
    const file = join(dir, 'fetch.mjs')
    await bundleForWeb(fileURLToPath(new URL('../src/fetch.ts', import.meta.url)), file, {
      minify: true,
    })
    const code = await readFile(file)
    if (/\bfrom\s*["']node:|import\(["']node:|require\(["']node:/.test(code.toString('utf8'))) {
      throw new Error('the fetch entry pulls in a node: module')
    }
    return { rawBytes: code.length, gzippedBytes: gzipSync(code, { level: 9 }).length }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const size = await fetchBundleSize()
  console.log(
    JSON.stringify({
      entry: 'corbado-keepalive/fetch',
      ...size,
      gzippedKB: Number((size.gzippedBytes / 1024).toFixed(1)),
      goalKB: GOAL_GZIPPED_BYTES / 1024,
      withinGoal: size.gzippedBytes <= GOAL_GZIPPED_BYTES,
    }),
  )
}
