import {describe, expect, it} from 'vitest'
import {DEFAULT_RESTART_POLICY, decideRestart} from '../../../src/runtime/local/restart-policy.js'

const policy = DEFAULT_RESTART_POLICY
const crash = (startedAt: number, ranMs = 100) => ({startedAt, exitedAt: startedAt + ranMs})

describe('decideRestart', () => {
  it('doubles from 1 s to a 60 s cap, with equal jitter', () => {
    const history: {startedAt: number; exitedAt: number}[] = []
    const caps = [1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000]
    let t = 0
    for (const cap of caps) {
      history.push(crash(t))
      t += 200
      expect(decideRestart(history, t, policy, () => 0).delayMs).toBe(cap / 2)
      expect(decideRestart(history, t, policy, () => 0.999_999).delayMs).toBe(cap)
    }
  })

  it('resets after a run of at least 10 minutes', () => {
    const history = [crash(0), crash(1000), crash(2000), {startedAt: 3000, exitedAt: 3000 + 11 * 60_000}]
    expect(decideRestart(history, 3000 + 11 * 60_000, policy, () => 0)).toMatchObject({delayMs: 500, consecutive: 1})
    const after = [...history, crash(3000 + 12 * 60_000)]
    expect(decideRestart(after, 3000 + 12 * 60_000 + 100, policy, () => 0)).toMatchObject({
      delayMs: 500,
      consecutive: 1,
    })
  })

  it('calls 5 exits within 10 minutes a crash loop, and forgets old exits', () => {
    const four = [crash(0), crash(1000), crash(2000), crash(3000)]
    expect(decideRestart(four, 4000, policy).crashLooping).toBe(false)
    expect(decideRestart([...four, crash(4000)], 5000, policy).crashLooping).toBe(true)
    expect(decideRestart([...four, crash(4000)], 4000 + 11 * 60_000, policy).crashLooping).toBe(false)
  })
})
