// Prometheus metrics through prom-client: typed counters, gauges and histograms with escaped
// label values, and Node's default metrics (event-loop lag among them: node:sqlite runs on
// the loop, so a slow store shows up there).
import {Counter, Gauge, Histogram, Registry, collectDefaultMetrics} from 'prom-client'

export type Labels = Record<string, string>

export class Metrics {
  readonly registry = new Registry()
  readonly httpRequests: Counter<'method' | 'route' | 'status'>
  readonly httpDuration: Histogram<'route'>

  constructor() {
    collectDefaultMetrics({register: this.registry, eventLoopMonitoringPrecision: 20})
    this.httpRequests = new Counter({
      name: 'drover_http_requests_total',
      help: 'HTTP requests by route and status.',
      labelNames: ['method', 'route', 'status'],
      registers: [this.registry],
    })
    this.httpDuration = new Histogram({
      name: 'drover_http_request_duration_seconds',
      help: 'HTTP request duration.',
      labelNames: ['route'],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
      registers: [this.registry],
    })
  }

  /** A counter kept elsewhere (a store's commits), read at scrape time. */
  counter(name: string, help: string, read: () => number): void {
    new Counter({
      name,
      help,
      registers: [this.registry],
      collect() {
        this.reset()
        this.inc(read())
      },
    })
  }

  /** A gauge read at scrape time, one value per label set. */
  gauge(
    name: string,
    help: string,
    labelNames: readonly string[],
    read: () => Promise<[Labels, number][]> | [Labels, number][],
  ): void {
    new Gauge({
      name,
      help,
      labelNames,
      registers: [this.registry],
      async collect() {
        this.reset()
        for (const [labels, value] of await read()) this.set(labels, value)
      },
    })
  }

  get contentType(): string {
    return this.registry.contentType
  }

  render(): Promise<string> {
    return this.registry.metrics()
  }
}
