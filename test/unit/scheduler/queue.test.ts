import {describe, expect, it} from 'vitest'
import {WorkQueue} from '../../../src/scheduler/queue.js'
import {waitFor} from '../../helpers/wait.js'

const options = {concurrency: 4, initialBackoffMs: 10, maxBackoffMs: 40, resyncMs: 60_000, keys: () => []}

describe('WorkQueue', () => {
  it('queues a key once, runs one reconcile per key at a time, and runs again a key added meanwhile', async () => {
    const log: string[] = []
    let running = 0
    let release: () => void = () => {}
    const q = new WorkQueue(async (key) => {
      running++
      expect(running).toBe(1)
      log.push(`start ${key}`)
      if (log.length === 1) await new Promise<void>((r) => (release = r))
      log.push(`end ${key}`)
      running--
    }, options)
    q.add('a')
    q.add('a')
    await waitFor('first run started', () => log.length === 1 || undefined)
    q.add('a')
    q.add('a')
    release()
    await waitFor('two runs', () => log.length === 4 || undefined)
    await q.idle()
    expect(log).toEqual(['start a', 'end a', 'start a', 'end a'])
    await q.stop()
  })

  it('backs off a failing key and retries it', async () => {
    const times: number[] = []
    const q = new WorkQueue(async () => {
      times.push(Date.now())
      if (times.length < 3) throw new Error('not yet')
    }, options)
    q.add('k')
    await waitFor('three runs', () => times.length === 3 || undefined)
    expect(times[2]! - times[1]!).toBeGreaterThanOrEqual(18) // 10 ms, then 20 ms
    await q.stop()
  })

  it('requeues after the delay a reconcile asks for, and resyncs every key', async () => {
    const seen: string[] = []
    const q = new WorkQueue(
      async (key) => {
        seen.push(key)
        return key === 'poll' && seen.filter((k) => k === 'poll').length < 3 ? {requeueAfterMs: 5} : undefined
      },
      {...options, keys: () => ['x', 'y']},
    )
    q.add('poll')
    await waitFor('polled 3 times', () => seen.filter((k) => k === 'poll').length === 3 || undefined)
    await q.resync()
    await q.idle()
    expect(seen.filter((k) => k !== 'poll').sort()).toEqual(['x', 'y'])
    await q.stop()
  })
})
