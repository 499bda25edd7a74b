/** Reading a `--cpu-prof` profile: samples per function, named by where it lives. */
import { readdirSync, readFileSync, statSync } from 'node:fs'

export interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  hitCount?: number
  children?: number[]
}

export interface CpuProfile {
  readonly nodes: ProfileNode[]
  readonly startTime: number
  readonly endTime: number
}

/** The package's sources, as the profiler names their URLs. */
export const SOURCES = new URL('../../src/', import.meta.url).href

/** The main thread's profile in `dir`: the largest one (tsx runs a loader thread too). */
export function readLargestProfile(dir: string): CpuProfile {
  const files = readdirSync(dir).filter((name) => name.endsWith('.cpuprofile'))
  const file = files.sort((a, b) => statSync(`${dir}/${b}`).size - statSync(`${dir}/${a}`).size)[0]
  if (file === undefined) throw new Error(`no .cpuprofile in ${dir}`)
  return JSON.parse(readFileSync(`${dir}/${file}`, 'utf8')) as CpuProfile
}

/** `function path`, with the package's files as `src/…` and dependencies by package. */
export function nameOf(node: ProfileNode): string {
  const url = node.callFrame.url
  const where = url.startsWith(SOURCES)
    ? `src/${url.slice(SOURCES.length)}`
    : url.replace(/^.*\/node_modules\//, '')
  return `${node.callFrame.functionName || '(anonymous)'} ${where}`.trim()
}

/** Samples per function name (its own frames only), most first, and their total. */
export function selfTimes(profile: CpuProfile): {
  total: number
  rows: [string, number][]
} {
  const selfTime = new Map<string, number>()
  for (const node of profile.nodes) {
    selfTime.set(nameOf(node), (selfTime.get(nameOf(node)) ?? 0) + (node.hitCount ?? 0))
  }
  const total = profile.nodes.reduce((sum, node) => sum + (node.hitCount ?? 0), 0)
  return { total, rows: [...selfTime].sort((a, b) => b[1] - a[1]) }
}
