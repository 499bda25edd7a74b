/** Scrape a `/metrics` endpoint and read it with a Prometheus text parser. */
import parsePrometheusTextFormat from 'parse-prometheus-text-format'
import { expect } from 'vitest'

/** The families of the scrape at `url`, after checking its answer is Prometheus' text format. */
export async function scrape(url: string) {
  const response = await fetch(url)
  expect(response.status).toBe(200)
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/)
  return parsePrometheusTextFormat(await response.text())
}

/** The value of the sample of `family` whose labels include `labels`. */
export function sampleValue(
  families: ReturnType<typeof parsePrometheusTextFormat>,
  family: string,
  labels: Record<string, string> = {},
): number | undefined {
  const sample = families
    .find((candidate) => candidate.name === family)
    ?.metrics.find((metric) =>
      Object.entries(labels).every(([key, value]) => metric.labels?.[key] === value),
    )
  const value = sample?.value ?? sample?.count
  return value === undefined ? undefined : Number(value)
}
