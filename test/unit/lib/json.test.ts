import {describe, expect, it} from 'vitest'
import {canonicalJson} from '../../../src/lib/canonical-json.js'
import {diffJson} from '../../../src/lib/diff.js'

describe('canonicalJson', () => {
  it('sorts keys at every level, keeps array order', () => {
    expect(canonicalJson({b: 1, a: {d: [3, {f: 1, e: 2}], c: null}})).toBe(
      '{"a":{"c":null,"d":[3,{"e":2,"f":1}]},"b":1}',
    )
    expect(canonicalJson([2, 1])).not.toBe(canonicalJson([1, 2]))
  })
  it('leaves out undefined values as JSON does (a status with an unset field equals the stored one)', () => {
    expect(canonicalJson({a: 1, b: undefined})).toBe(canonicalJson({a: 1}))
    expect(canonicalJson([undefined])).toBe('[null]')
    expect(canonicalJson(undefined)).toBe('null')
    expect(canonicalJson('x"y')).toBe('"x\\"y"')
  })
})

describe('diffJson', () => {
  it('reports added, removed and changed fields with their paths', () => {
    expect(
      diffJson({worker: {replicas: 1, envs: {A: 'x'}}, tags: ['a']}, {worker: {replicas: 2, title: 't'}, tags: ['a']}),
    ).toEqual([
      {op: 'change', path: ['worker', 'replicas'], from: 1, to: 2},
      {op: 'remove', path: ['worker', 'envs'], from: {A: 'x'}},
      {op: 'add', path: ['worker', 'title'], to: 't'},
    ])
  })
  it('compares arrays and scalars as a whole, and objects inside arrays regardless of key order', () => {
    expect(diffJson({l: [{a: 1, b: 2}]}, {l: [{b: 2, a: 1}]})).toEqual([])
    expect(diffJson({l: [1, 2]}, {l: [2, 1]})).toEqual([{op: 'change', path: ['l'], from: [1, 2], to: [2, 1]}])
    expect(diffJson(1, '1')).toEqual([{op: 'change', path: [], from: 1, to: '1'}])
    expect(diffJson({a: null}, {a: null})).toEqual([])
  })
})
