import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'

/** The repository's root. */
export const ROOT = join(import.meta.dirname, '..', '..')

/** The package's manifest, as `npm pack` ships it. */
export interface PackageManifest {
  readonly name: string
  readonly version: string
  readonly license: string
  readonly exports: Record<string, string | Record<string, Record<string, string>>>
  readonly bin: Record<string, string>
  readonly peerDependencies?: Record<string, string>
  readonly peerDependenciesMeta?: Record<string, { optional?: boolean }>
}

export function readManifest(): PackageManifest {
  return JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as PackageManifest
}

function newestMtime(path: string): number {
  const stat = statSync(path)
  if (!stat.isDirectory()) return stat.mtimeMs
  return Math.max(0, ...readdirSync(path).map((entry) => newestMtime(join(path, entry))))
}

function oldestMtime(path: string): number {
  return Math.min(...readdirSync(path).map((entry) => statSync(join(path, entry)).mtimeMs))
}

/**
 * Fail unless `dist/` was built from today's `src/`: tests that run the built package never build
 * it themselves (`npm test` builds once, before vitest), so a run never rebuilds it half-way.
 */
export function requireBuiltDist(): void {
  const dist = join(ROOT, 'dist')
  const built = existsSync(dist) ? oldestMtime(dist) : -Infinity
  if (built < newestMtime(join(ROOT, 'src'))) {
    throw new Error(
      `dist/ is ${built === -Infinity ? 'missing' : 'older than src/'}: run \`npm run build\` ` +
        '(`npm test` builds before it tests)',
    )
  }
}
