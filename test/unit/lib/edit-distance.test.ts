import {describe, expect, it} from 'vitest'
import {closest, editDistance} from '../../../src/lib/edit-distance.js'

describe('editDistance', () => {
  it.each([
    ['', '', 0],
    ['abc', '', 3],
    ['replica', 'replicas', 1],
    ['kitten', 'sitting', 3],
    ['stackspec', 'stackSpec', 1],
  ])('%s → %s = %i', (a, b, d) => expect(editDistance(a, b)).toBe(d))
})

describe('closest', () => {
  const fields = ['replicas', 'resources', 'stack', 'stackSpec', 'compute', 'logLevel']
  it('suggests the nearest field within max(2, len/3)', () => {
    expect(closest('replica', fields)).toBe('replicas')
    expect(closest('compte', fields)).toBe('compute')
    expect(closest('loglevel', fields)).toBe('logLevel')
  })
  it('prefers a case-insensitive match', () => expect(closest('STACKSPEC', fields)).toBe('stackSpec'))
  it('suggests nothing for a word far from every candidate', () => {
    expect(closest('input', fields)).toBeUndefined()
    expect(closest('zzzzzzzz', fields)).toBeUndefined()
  })
  it('never suggests the word itself', () => expect(closest('stack', ['stack'])).toBeUndefined())
})
