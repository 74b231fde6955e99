import {describe, expect, it} from 'vitest'
import {cloneJson} from '../../../src/lib/clone.js'

describe('cloneJson', () => {
  it('copies deeply', () => {
    const value = {a: [1, {b: 'c'}], d: null, e: true}
    const copy = cloneJson(value)
    expect(copy).toEqual(value)
    copy.a.push(2)
    expect(value.a).toHaveLength(2)
  })

  it('copies a __proto__ key as data, never as a prototype', () => {
    const value = JSON.parse('{"__proto__": {"polluted": true}, "x": 1}') as Record<string, unknown>
    const copy = cloneJson(value)
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype)
    expect((copy as {polluted?: boolean}).polluted).toBeUndefined()
    expect(Object.keys(copy)).toEqual(['__proto__', 'x'])
  })
})
