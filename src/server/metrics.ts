// Prometheus metrics in the text exposition format (no client library: a few counters and a
// histogram are all the control plane needs).

type Labels = Record<string, string>

const labelCache = new Map<string, string>()

const labelText = (labels: Labels) => {
  let key = ''
  for (const k in labels) key += `${k}\u0000${labels[k]}\u0000`
  const cached = labelCache.get(key)
  if (cached !== undefined) return cached
  const text = formatLabels(labels)
  if (labelCache.size < 10_000) labelCache.set(key, text)
  return text
}

const formatLabels = (labels: Labels) => {
  const entries = Object.entries(labels)
  return entries.length === 0
    ? ''
    : `{${entries.map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`).join(',')}}`
}

export class Metrics {
  private readonly counters = new Map<string, {help: string; values: Map<string, number>}>()
  private readonly histograms = new Map<
    string,
    {help: string; buckets: number[]; series: Map<string, {counts: number[]; sum: number; count: number}>}
  >()
  private readonly gauges: {
    name: string
    help: string
    collect: () => Promise<[Labels, number][]> | [Labels, number][]
  }[] = []

  inc(name: string, help: string, labels: Labels = {}, by = 1): void {
    let counter = this.counters.get(name)
    if (!counter) this.counters.set(name, (counter = {help, values: new Map()}))
    const key = labelText(labels)
    counter.values.set(key, (counter.values.get(key) ?? 0) + by)
  }

  observe(
    name: string,
    help: string,
    value: number,
    labels: Labels = {},
    buckets = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
  ): void {
    let histogram = this.histograms.get(name)
    if (!histogram) this.histograms.set(name, (histogram = {help, buckets, series: new Map()}))
    const key = labelText(labels)
    let series = histogram.series.get(key)
    if (!series) histogram.series.set(key, (series = {counts: histogram.buckets.map(() => 0), sum: 0, count: 0}))
    histogram.buckets.forEach((b, i) => value <= b && series.counts[i]!++)
    series.sum += value
    series.count++
  }

  /** A gauge read at scrape time. */
  gauge(name: string, help: string, collect: () => Promise<[Labels, number][]> | [Labels, number][]): void {
    this.gauges.push({name, help, collect})
  }

  async render(): Promise<string> {
    const lines: string[] = []
    for (const [name, c] of this.counters) {
      lines.push(`# HELP ${name} ${c.help}`, `# TYPE ${name} counter`)
      for (const [labels, value] of c.values) lines.push(`${name}${labels} ${value}`)
    }
    for (const [name, h] of this.histograms) {
      lines.push(`# HELP ${name} ${h.help}`, `# TYPE ${name} histogram`)
      for (const [labels, s] of h.series) {
        const inner = labels.slice(1, -1)
        h.buckets.forEach((b, i) => lines.push(`${name}_bucket{${inner ? `${inner},` : ''}le="${b}"} ${s.counts[i]}`))
        lines.push(
          `${name}_bucket{${inner ? `${inner},` : ''}le="+Inf"} ${s.count}`,
          `${name}_sum${labels} ${s.sum}`,
          `${name}_count${labels} ${s.count}`,
        )
      }
    }
    for (const g of this.gauges) {
      lines.push(`# HELP ${g.name} ${g.help}`, `# TYPE ${g.name} gauge`)
      for (const [labels, value] of await g.collect()) lines.push(`${g.name}${labelText(labels)} ${value}`)
    }
    return `${lines.join('\n')}\n`
  }
}
