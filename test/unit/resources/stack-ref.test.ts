import {describe, expect, it} from 'vitest'
import {
  compareVersions,
  formatStackRef,
  parseStackRef,
  resolveStack,
  stackIdentity,
} from '../../../src/resources/stack-ref.js'

describe('compareVersions', () => {
  const sorted = (vs: string[]) => [...vs].sort(compareVersions)
  it('orders numerically, part by part', () => {
    expect(sorted(['1.10', '1.9', '2.0', '1.0'])).toEqual(['1.0', '1.9', '1.10', '2.0'])
    expect(compareVersions('1.0', '1.0.0')).toBe(0)
  })
  it('ranks a pre-release below its release (1.0-rc1 < 1.0), as SemVer does', () => {
    expect(compareVersions('1.0-rc1', '1.0')).toBeLessThan(0)
    expect(compareVersions('1.0', '1.0-rc1')).toBeGreaterThan(0)
    expect(sorted(['1.0', '1.0-rc2', '1.0-rc1', '0.9', '1.0.0-beta.11', '1.0.0-beta.2', '1.0.0-alpha'])).toEqual([
      '0.9',
      '1.0.0-alpha',
      '1.0.0-beta.2',
      '1.0.0-beta.11',
      '1.0-rc1',
      '1.0-rc2',
      '1.0',
    ])
  })
})

describe('stack references', () => {
  it('parse and format name, flavor and version', () => {
    expect(parseStackRef('bento+worker:3.0')).toEqual({name: 'bento', flavor: 'worker', version: '3.0'})
    expect(parseStackRef('node')).toEqual({name: 'node'})
    expect(formatStackRef(parseStackRef('bento+worker:3.0'))).toBe('bento+worker:3.0')
  })
  it('resolve to the highest version without one, never to a flavored stack without a flavor', () => {
    const stacks = [
      {name: 'node', version: '1.0'},
      {name: 'node', version: '1.1-rc1'},
      {name: 'node', version: '1.1'},
      {name: 'node', flavor: 'x', version: '9.0'},
    ]
    expect(resolveStack({name: 'node'}, stacks)?.version).toBe('1.1')
    expect(resolveStack({name: 'node', version: '1.0'}, stacks)?.version).toBe('1.0')
    expect(resolveStack({name: 'node', flavor: 'x'}, stacks)?.version).toBe('9.0')
    expect(resolveStack({name: 'node', version: '2.0'}, stacks)).toBeUndefined()
  })
  it('read a stack section’s identity, or nothing', () => {
    expect(stackIdentity({name: 'n', version: '1', flavor: 'f', command: []})).toEqual({
      name: 'n',
      flavor: 'f',
      version: '1',
    })
    expect(stackIdentity({name: 'n'})).toBeUndefined()
    expect(stackIdentity(null)).toBeUndefined()
  })
})
