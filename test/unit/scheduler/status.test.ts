import {describe, expect, it} from 'vitest'
import type {ReplicaState} from '../../../src/runtime/runtime.js'
import {computeStatus} from '../../../src/scheduler/status.js'

const now = '2026-11-23T00:00:00.000Z'
const limits = {memory: 'cgroup-v1' as const, cpu: 'cgroup-v1' as const, readOnlyVolumes: true, detail: ''}
const replica = (index: number, extra: Partial<ReplicaState> = {}): ReplicaState => ({
  id: `r1-${index}`,
  index,
  revision: 'r1',
  phase: 'Running',
  restarts: 0,
  ready: true,
  crashLooping: false,
  ...extra,
})
const status = (replicas: ReplicaState[], desired = 2, extra: Record<string, unknown> = {}) =>
  computeStatus({
    generation: 3,
    desiredReplicas: desired,
    observed: {key: {workspace: 'w', name: 'n'}, revision: 'r1', replicas, rolloutBlocked: false, limits},
    dryRun: false,
    now,
    ...extra,
  })
const conditions = (s: ReturnType<typeof status>) =>
  Object.fromEntries((s.conditions ?? []).map((c) => [c.type, c.status]))

describe('computeStatus', () => {
  it('counts what serves during a blocked rollout: the old replicas, running, and the block as conditions', () => {
    const old = (i: number) => replica(i, {id: `r0-${i}`, revision: 'r0'})
    const looping = replica(0, {id: 'r1-0', ready: false, phase: 'Waiting', crashLooping: true, restarts: 5})
    const s = computeStatus({
      generation: 3,
      desiredReplicas: 2,
      observed: {
        key: {workspace: 'w', name: 'n'},
        revision: 'r1',
        replicas: [old(0), old(1), looping],
        rolloutBlocked: true,
        limits,
      },
      dryRun: false,
      now,
    })
    expect(s).toMatchObject({phase: 'Running', readyReplicas: 2, desiredReplicas: 2})
    expect(s.conditions!.find((c) => c.type === 'Progressing')).toMatchObject({
      status: 'False',
      reason: 'RolloutBlocked',
    })
    expect(conditions(s)).toMatchObject({Ready: 'True', Degraded: 'True', CrashLooping: 'True'})
    // with one old replica left of two, it is degraded, not running
    const fewer = computeStatus({
      generation: 3,
      desiredReplicas: 2,
      observed: {
        key: {workspace: 'w', name: 'n'},
        revision: 'r1',
        replicas: [old(0), looping],
        rolloutBlocked: true,
        limits,
      },
      dryRun: false,
      now,
    })
    expect(fewer).toMatchObject({phase: 'Degraded', readyReplicas: 1})
  })

  it('is Running with every replica ready', () => {
    const s = status([replica(0), replica(1)])
    expect(s).toMatchObject({
      phase: 'Running',
      replicas: 2,
      readyReplicas: 2,
      desiredReplicas: 2,
      observedGeneration: 3,
    })
    expect(conditions(s)).toEqual({
      Ready: 'True',
      Progressing: 'False',
      Degraded: 'False',
      CrashLooping: 'False',
      LimitsEnforced: 'True',
    })
  })
  it('is Pending before any replica is ready', () =>
    expect(status([replica(0, {ready: false})], 1).phase).toBe('Pending'))
  it('is Progressing while replicas start', () =>
    expect(status([replica(0), replica(1, {ready: false})]).phase).toBe('Progressing'))
  it('is Degraded while a replica waits to restart', () => {
    const s = status([replica(0), replica(1, {phase: 'Waiting', ready: false})])
    expect(s.phase).toBe('Degraded')
    expect(conditions(s).Degraded).toBe('True')
  })
  it('is CrashLooping when a replica crash-loops, with the last exit', () => {
    const s = status(
      [
        replica(0, {
          phase: 'Waiting',
          ready: false,
          crashLooping: true,
          lastExit: {code: 3, signal: null, reason: 'Error', at: now},
        }),
      ],
      1,
    )
    expect(s).toMatchObject({phase: 'CrashLooping', lastError: 'last exit: Error (code 3)'})
  })
  it('is Stopped with no replica wanted', () => expect(status([], 0).phase).toBe('Stopped'))
  it('is DryRun for a dry-run worker and Failed when it cannot run', () => {
    expect(computeStatus({generation: 1, desiredReplicas: 1, dryRun: true, now}).phase).toBe('DryRun')
    expect(
      computeStatus({generation: 1, desiredReplicas: 1, dryRun: false, error: 'stack x is not registered', now}),
    ).toMatchObject({phase: 'Failed', lastError: 'stack x is not registered'})
  })
  it('says plainly when limits are not enforced', () => {
    const s = status([replica(0), replica(1)], 2, {limitsProblem: 'the CPU limit is not enforced'})
    expect(s.conditions!.find((c) => c.type === 'LimitsEnforced')).toMatchObject({
      status: 'False',
      reason: 'NotEnforceable',
      message: 'the CPU limit is not enforced',
    })
  })
  it('keeps the transition time of a condition that did not change', () => {
    const first = status([replica(0), replica(1)])
    const later = computeStatus({
      generation: 3,
      desiredReplicas: 2,
      observed: {
        key: {workspace: 'w', name: 'n'},
        revision: 'r1',
        replicas: [replica(0), replica(1)],
        rolloutBlocked: false,
        limits,
      },
      dryRun: false,
      previous: first,
      now: '2026-11-24T00:00:00.000Z',
    })
    expect(later.conditions![0]!.lastTransitionTime).toBe(now)
  })

  it('stamps every condition with the generation it was computed from', () => {
    const s = computeStatus({generation: 7, desiredReplicas: 1, dryRun: true, now: '2026-11-24T00:00:00.000Z'})
    expect(s.conditions!.map((c) => c.observedGeneration)).toEqual([7])
  })
})
