import {describe, expect, it} from 'vitest'
import {similarMessages, similarityKey} from '../../../src/store/store.js'

// The PostgreSQL store finds a repeated event by similarityKey; the SQLite store compares with
// similarMessages. Both must count the same repeats.
const messages = [
  'created',
  'updated by admin (generation 2)',
  'updated by admin (generation 3)',
  'a-0: exited: code 1; restarting in 1s',
  'a-0: exited: code 1; restarting in 2.5s',
  'a-0: exited: code 12; restarting in 2s',
  'a-0: exited: signal SIGKILL',
  'a-1: exited: code 1; restarting in 1s',
  'a-0: started (pid 101, restart 1)',
  'a-0: started (pid 102, restart 2)',
  'a-0:started (pid 102)',
  ': leading separator 1',
  ': leading separator 2',
  'sa-0: x',
  'a-0: sx',
  'é-0: ünïcode 1 🚀',
  'é-0: ünïcode 22 🚀',
  'é-0: ünïcode 22 🚁',
  'x: 1.2.3',
  'x: 4.5.6',
  'x: 7',
]

describe('similarityKey', () => {
  it('is equal for two messages exactly when similarMessages says they are similar', () => {
    let similarPairs = 0
    for (const a of messages)
      for (const b of messages) {
        const similar = similarMessages(a, b)
        if (similar && a !== b) similarPairs++
        expect([a, b, similarityKey(a) === similarityKey(b)]).toEqual([a, b, similar])
      }
    expect(similarPairs).toBeGreaterThanOrEqual(10) // the list has similar pairs to tell apart
  })

  it('fits an index whatever the message’s length', () => {
    expect(similarityKey('x'.repeat(100_000))).toMatch(/^[0-9a-f]{32}$/)
  })
})
