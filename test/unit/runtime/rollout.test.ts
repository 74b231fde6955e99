// planRollout as a table: what the runtime does for each observed state (src/runtime/local/rollout.ts).
import {describe, expect, it} from 'vitest'
import {type ObservedReplica, planRollout} from '../../../src/runtime/local/rollout.js'

const r = (id: string, revision: string, index: number, extra: Partial<ObservedReplica> = {}): ObservedReplica => ({
  id,
  index,
  revision,
  ready: true,
  crashLooping: false,
  restartDue: false,
  orphaned: false,
  ...extra,
})

describe('planRollout', () => {
  it.each([
    ['nothing runs: create all', [], 3, {create: [0, 1, 2], stop: [], restart: [], rolloutBlocked: false}],
    ['steady', [r('a', 'v1', 0), r('b', 'v1', 1)], 2, {create: [], stop: [], restart: [], rolloutBlocked: false}],
    [
      'scale down: highest index first',
      [r('a', 'v1', 0), r('b', 'v1', 1), r('c', 'v1', 2)],
      1,
      {
        create: [],
        stop: [
          {id: 'c', why: 'scaled down'},
          {id: 'b', why: 'scaled down'},
        ],
        restart: [],
        rolloutBlocked: false,
      },
    ],
    [
      'a due restart',
      [r('a', 'v1', 0, {restartDue: true, ready: false})],
      1,
      {create: [], stop: [], restart: ['a'], rolloutBlocked: false},
    ],
    [
      'rollout starts: one new, no old stopped yet',
      [r('a', 'v1', 0), r('b', 'v1', 1)],
      2,
      {create: [0], stop: [], restart: [], rolloutBlocked: false},
    ],
    [
      'new one ready: the highest old goes, the next new waits',
      [r('n', 'v2', 0), r('a', 'v1', 0), r('b', 'v1', 1)],
      2,
      {create: [1], stop: [{id: 'b', why: 'replaced by revision v2'}], restart: [], rolloutBlocked: false},
    ],
    [
      'new one not ready: wait',
      [r('n', 'v2', 0, {ready: false}), r('a', 'v1', 0), r('b', 'v1', 1)],
      2,
      {create: [], stop: [], restart: [], rolloutBlocked: false},
    ],
    [
      'new revision crash-loops: blocked, old kept',
      [r('n', 'v2', 0, {ready: false, crashLooping: true}), r('a', 'v1', 0), r('b', 'v1', 1)],
      2,
      {create: [], stop: [], restart: [], rolloutBlocked: true},
    ],
    [
      'orphaned adopted replica: stopped',
      [r('o', 'v0', 0, {orphaned: true, ready: false}), r('a', 'v1', 0)],
      1,
      {create: [], stop: [{id: 'o', why: 'its revision is gone'}], restart: [], rolloutBlocked: false},
    ],
  ] as const)('%s', (_, observed, replicas, plan) => {
    expect(
      planRollout(observed, {
        revision: observed.some((o) => o.revision === 'v2') || _.startsWith('rollout') ? 'v2' : 'v1',
        replicas,
      }),
    ).toEqual(plan)
  })
})
