import {describe, expect, it} from 'vitest'
import {Metrics} from '../../../src/server/metrics.js'

describe('metrics', () => {
  it('types counters as counters and gauges as gauges, read at scrape time', async () => {
    const m = new Metrics()
    let commits = 3
    m.counter('drover_store_commits_total', 'Commits.', () => commits)
    m.gauge('drover_replicas', 'Replicas by phase.', ['phase'], () => [[{phase: 'Running'}, 2]])
    let text = await m.render()
    expect(text).toMatch(/^# TYPE drover_store_commits_total counter$/m)
    expect(text).toMatch(/^drover_store_commits_total 3$/m)
    expect(text).toMatch(/^# TYPE drover_replicas gauge$/m)
    expect(text).toMatch(/^drover_replicas\{phase="Running"\} 2$/m)
    commits = 5
    text = await m.render()
    expect(text).toMatch(/^drover_store_commits_total 5$/m)
  })

  it('escapes label values (quotes, backslashes, newlines)', async () => {
    const m = new Metrics()
    m.httpRequests.inc({method: 'GET', route: 'a"b\\c\nd', status: '200'})
    const text = await m.render()
    expect(text).toContain('route="a\\"b\\\\c\\nd"')
    expect(text.split('\n').filter((l) => l.startsWith('drover_http_requests_total{'))).toHaveLength(1)
  })

  it('includes Node default metrics, event-loop lag among them', async () => {
    const text = await new Metrics().render()
    expect(text).toMatch(/^# TYPE nodejs_eventloop_lag_seconds gauge$/m)
    expect(text).toMatch(/^process_cpu_seconds_total \d/m)
    expect(text).toMatch(/^process_resident_memory_bytes \d+/m)
  })
})
