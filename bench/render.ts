/** Re-render bench/RESULTS.md from the figures of the last `npm run bench` (bench/results/). */
import { readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { render } from './report.js'
import type { Results } from './report.js'

const results = JSON.parse(
  readFileSync(fileURLToPath(new URL('./results/results.json', import.meta.url)), 'utf8'),
) as Results
writeFileSync(fileURLToPath(new URL('./RESULTS.md', import.meta.url)), render(results))
