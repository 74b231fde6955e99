import {describe, expect, it} from 'vitest'
import {computeStatusOf, effectiveResources, isKubernetesCompute} from '../../../src/resources/compute.js'

describe('effectiveResources (LimitRange semantics)', () => {
  const defaults = {requests: {cpu: '100m', memory: '128Mi'}, limits: {memory: '512Mi'}}

  it("keeps the worker's own values", () => {
    const own = {requests: {cpu: '250m', memory: '64Mi'}, limits: {cpu: '1', memory: '1Gi'}}
    expect(effectiveResources(own, defaults)).toEqual(own)
  })

  it('fills a missing limit from the defaults, a missing request from the own limit first', () => {
    expect(effectiveResources({limits: {cpu: '2'}}, defaults)).toEqual({
      requests: {cpu: '2', memory: '128Mi'},
      limits: {cpu: '2', memory: '512Mi'},
    })
    expect(effectiveResources(undefined, {limits: {memory: '1Gi'}})).toEqual({
      requests: {memory: '1Gi'},
      limits: {memory: '1Gi'},
    })
  })

  it('gives nothing when neither the worker nor the compute does', () => {
    expect(effectiveResources(undefined, undefined)).toEqual({requests: {}, limits: {}})
  })
})

describe('computeStatusOf', () => {
  it('names the dataplane, and whether workers can run there', () => {
    expect(computeStatusOf({compute: {dataplane: 'local'}})).toEqual({
      phase: 'Active',
      dataplane: 'local',
      reachable: true,
    })
    expect(computeStatusOf({compute: {dataplane: 'hub'}})).toMatchObject({
      dataplane: 'hub',
      reachable: false,
      message: "dataplane hub is not in this control plane's configuration (dataplanes:)",
    })
    expect(computeStatusOf({compute: {dataplane: 'hub'}}, new Set(['hub']))).toEqual({
      phase: 'Active',
      dataplane: 'hub',
      reachable: true,
    })
    expect(computeStatusOf({compute: {dataplane: 'hub'}}, new Set(['hub']), 'connection refused')).toMatchObject({
      reachable: false,
      message: 'connection refused',
    })
    expect(isKubernetesCompute({compute: {dataplane: 'hub'}})).toBe(true)
    expect(isKubernetesCompute({compute: {dataplane: 'local'}})).toBe(false)
  })
})
