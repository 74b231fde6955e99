import {describe, expect, it} from 'vitest'
import {type HistoryPoint, WorkerHistory} from '../../../src/scheduler/history.js'

const point = (t: number): HistoryPoint => ({t, running: 1, ready: 1, usage: []})

describe('WorkerHistory', () => {
  it('keeps the last hour, at most maxPoints per worker, and forgets workers that are gone', () => {
    const h = new WorkerHistory(1000, 3)
    for (const t of [0, 100, 200, 300]) h.record('a', point(t))
    expect(h.series('a').map((p) => p.t)).toEqual([100, 200, 300])
    h.record('a', point(1250))
    expect(h.series('a').map((p) => p.t)).toEqual([300, 1250])
    h.record('b', point(0))
    h.keep(new Set(['b']))
    expect(h.series('a')).toEqual([])
    expect(h.series('b')).toHaveLength(1)
  })
})
