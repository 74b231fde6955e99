import {describe, expect, it} from 'vitest'
import {DEFAULT_AUTOSCALER_POLICY, decideScale, recommend} from '../../../src/scheduler/hpa.js'

const policy = DEFAULT_AUTOSCALER_POLICY
const cpu = (utilization: number, target = 70) => ({name: 'cpu' as const, utilization, target})

describe('recommend', () => {
  it('is ceil(current × usage / target)', () => expect(recommend(2, [cpu(170)], 0.1).replicas).toBe(5))
  it('stays within the tolerance', () => expect(recommend(4, [cpu(75)], 0.1).replicas).toBe(4))
  it('takes the largest recommendation across metrics', () =>
    expect(recommend(2, [cpu(35), {name: 'memory', utilization: 300, target: 100}], 0.1)).toMatchObject({
      replicas: 6,
      metric: {name: 'memory'},
    }))
})

describe('decideScale', () => {
  const base = {min: 1, max: 20, history: [], now: 1_000_000}
  it('explains a scale-up', () =>
    expect(decideScale({...base, current: 2, metrics: [cpu(170)]}, policy)).toEqual({
      desired: 5,
      raw: 5,
      reason: 'cpu 170 % of request, target 70 %',
    }))
  it('limits scale-up to max(4 pods, 100 %) per period', () => {
    expect(decideScale({...base, current: 2, metrics: [cpu(700)]}, policy)).toMatchObject({
      desired: 6,
      raw: 20,
      reason: 'cpu 700 % of request, target 70 %; limited to +4 per period',
    })
    expect(decideScale({...base, current: 10, metrics: [cpu(700)]}, policy)).toMatchObject({desired: 20})
  })
  it('scales down only to the highest recommendation of the last 300 s', () => {
    const history = [
      {at: base.now - 200_000, replicas: 6},
      {at: base.now - 400_000, replicas: 9},
    ]
    expect(decideScale({...base, current: 8, metrics: [cpu(10)], history}, policy)).toMatchObject({desired: 6, raw: 2})
    expect(
      decideScale({...base, current: 8, metrics: [cpu(10)], history: [{at: base.now - 400_000, replicas: 9}]}, policy),
    ).toMatchObject({desired: 2})
  })
  it('stays within min and max', () => {
    expect(decideScale({...base, current: 3, max: 4, metrics: [cpu(700)]}, policy)).toMatchObject({
      desired: 4,
      reason: 'cpu 700 % of request, target 70 %; capped at maxReplicas 4',
    })
    expect(decideScale({...base, current: 3, min: 2, metrics: [cpu(1)]}, policy)).toMatchObject({
      desired: 2,
      reason: 'cpu 1 % of request, target 70 %; raised to minReplicas 2',
    })
    expect(decideScale({...base, current: 0, min: 2, metrics: []}, policy)).toMatchObject({desired: 2})
  })
})
