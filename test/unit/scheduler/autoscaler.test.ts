import {describe, expect, it} from 'vitest'
import type {ReplicaState} from '../../../src/runtime/runtime.js'
import {cpuSampleCounts} from '../../../src/scheduler/autoscaler.js'
import {DEFAULT_AUTOSCALER_POLICY, decideScale} from '../../../src/scheduler/hpa.js'

const t0 = Date.parse('2026-11-24T00:00:00.000Z')
const at = (ms: number) => new Date(t0 + ms).toISOString()
const replica = (extra: Partial<ReplicaState>): ReplicaState => ({
  id: 'r-0',
  index: 0,
  revision: 'r',
  phase: 'Running',
  restarts: 0,
  ready: true,
  crashLooping: false,
  startedAt: at(0),
  readySince: at(1000),
  usage: {cpuCores: 0.5, cpuSince: at(6000), memoryBytes: 1},
  ...extra,
})
const INIT = 300_000

describe('cpuSampleCounts: the HPA’s readiness rule for CPU', () => {
  it('counts a young replica once it is ready and sampled over a window that began after', () => {
    expect(cpuSampleCounts(replica({}), t0 + 10_000, INIT)).toBe(true) // 10 s old, not 5 minutes
  })
  it('sets aside a young replica sampled over a window that began before it was ready', () => {
    expect(cpuSampleCounts(replica({usage: {cpuCores: 2, cpuSince: at(500)}}), t0 + 10_000, INIT)).toBe(false)
  })
  it('sets aside a replica that is not ready, or not sampled yet', () => {
    expect(cpuSampleCounts(replica({ready: false, readySince: undefined}), t0 + 10_000, INIT)).toBe(false)
    expect(cpuSampleCounts(replica({usage: {memoryBytes: 1}}), t0 + 10_000, INIT)).toBe(false)
  })
  it('counts a ready replica after the initialization period, whatever its window', () => {
    expect(cpuSampleCounts(replica({usage: {cpuCores: 2, cpuSince: at(500)}}), t0 + INIT + 1, INIT)).toBe(true)
  })
})

describe('decideScale names what held the count', () => {
  const policy = DEFAULT_AUTOSCALER_POLICY
  const cpu = (utilization: number) => [{name: 'cpu' as const, utilization, target: 50}]
  it.each([
    ['max', {current: 2, min: 1, max: 3, metrics: cpu(200), history: []}],
    ['min', {current: 2, min: 2, max: 5, metrics: cpu(5), history: []}],
    ['rate', {current: 1, min: 1, max: 50, metrics: cpu(1000), history: []}],
    ['stabilization', {current: 4, min: 1, max: 5, metrics: cpu(10), history: [{at: t0 - 1000, replicas: 4}]}],
  ] as const)('%s', (limitedBy, input) => {
    expect(decideScale({...input, now: t0}, policy).limitedBy).toBe(limitedBy)
  })
  it('nothing when the recommendation is applied as it is', () => {
    expect(decideScale({current: 2, min: 1, max: 5, metrics: cpu(100), history: [], now: t0}, policy).limitedBy).toBe(
      undefined,
    )
  })
})
