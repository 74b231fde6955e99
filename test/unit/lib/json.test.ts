import {describe, expect, it} from 'vitest'
import {canonicalJson, jsonEqual} from '../../../src/lib/canonical-json.js'
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

describe('jsonEqual', () => {
  it('says what comparing canonicalJson says, on values built at random', () => {
    // A small seeded generator: reproducible, and values close enough to one another to be equal often.
    let seed = 7
    const rand = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31
      return seed % n
    }
    const scalars = [0, -0, 1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '', 'a', 'b', true, false, null, undefined]
    const value = (depth: number): unknown => {
      const pick = rand(depth > 2 ? 1 : 4)
      if (pick === 0) return scalars[rand(scalars.length)]
      if (pick === 1) return Array.from({length: rand(3)}, () => value(depth + 1))
      const keys = ['a', 'b', 'c'].filter(() => rand(2) === 0)
      // keys in either order, some undefined
      if (rand(2) === 0) keys.reverse()
      return Object.fromEntries(keys.map((k) => [k, value(depth + 1)]))
    }
    let equal = 0
    for (let i = 0; i < 20_000; i++) {
      const [a, b] = [value(0), value(0)]
      const expected = canonicalJson(a) === canonicalJson(b)
      if (expected) equal++
      expect([a, b, jsonEqual(a, b)]).toEqual([a, b, expected])
      expect(jsonEqual(a, structuredClone(a))).toBe(true)
    }
    expect(equal).toBeGreaterThan(1000) // the generator makes equal pairs, not only different ones
  })
  it('treats key order and undefined values as canonicalJson does', () => {
    expect(jsonEqual({a: 1, b: {c: [1, {d: 2, e: 3}]}}, {b: {c: [1, {e: 3, d: 2}]}, a: 1})).toBe(true)
    expect(jsonEqual({a: 1, b: undefined}, {a: 1})).toBe(true)
    expect(jsonEqual({a: 1}, {a: 1, b: null})).toBe(false)
    expect(jsonEqual([1, 2], [2, 1])).toBe(false)
    expect(jsonEqual({}, [])).toBe(false)
    expect(jsonEqual([undefined], [null])).toBe(true)
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
