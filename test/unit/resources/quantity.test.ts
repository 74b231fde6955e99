import {describe, expect, it} from 'vitest'
import {formatMemory, parseCpu, parseMemory, quantityHint} from '../../../src/resources/quantity.js'

describe('parseCpu', () => {
  it.each([
    ['100m', 0.1],
    ['1', 1],
    ['1.5', 1.5],
    ['.5', 0.5],
    ['2000m', 2],
    [0.25, 0.25],
    [2, 2],
  ])('%s → %d cores', (input, cores) => expect(parseCpu(input)).toBeCloseTo(cores))
  it.each(['1 core', '100M', '-1', '1e3', 'm', '', '1.', 'abc'])('rejects %j', (input) =>
    expect(parseCpu(input)).toBeUndefined(),
  )
  it('rejects negative and non-finite numbers', () => {
    expect(parseCpu(-1)).toBeUndefined()
    expect(parseCpu(Number.POSITIVE_INFINITY)).toBeUndefined()
  })
})

describe('parseMemory', () => {
  it.each([
    ['128Mi', 128 * 2 ** 20],
    ['1Gi', 2 ** 30],
    ['1G', 1e9],
    ['1k', 1000],
    ['1Ki', 1024],
    ['1e6', 1e6],
    ['1.5Gi', 1.5 * 2 ** 30],
    ['123', 123],
    [1048576, 1048576],
  ])('%s → %d bytes', (input, bytes) => expect(parseMemory(input)).toBe(bytes))
  it.each(['128m', '1GB', '1gi', '512 Mi', 'Mi', '1K', '-1Gi'])('rejects %j', (input) =>
    expect(parseMemory(input)).toBeUndefined(),
  )
})

describe('quantityHint', () => {
  it('explains that m means milli for memory', () =>
    expect(quantityHint('memory', '128m')).toBe(
      '"m" means milli (128m would be a thousandth of 128 bytes); did you mean "128Mi"?',
    ))
  it('maps byte units to Kubernetes suffixes', () =>
    expect(quantityHint('memory', '1GB')).toBe('did you mean "1Gi" (binary, as Kubernetes writes it) or "1G"?'))
  it('handles spaces', () => expect(quantityHint('memory', '512 Mi')).toBe('write it without spaces, e.g. "512Mi"'))
  it('maps cores and millicores', () => {
    expect(quantityHint('cpu', '2 cores')).toBe('write it without spaces, e.g. "2cores"')
    expect(quantityHint('cpu', '2cores')).toBe('did you mean "2"?')
    expect(quantityHint('cpu', '100mc')).toBe('did you mean "100m"?')
  })
})

describe('formatMemory', () => {
  it.each([
    [2 ** 30, '1Gi'],
    [1536 * 2 ** 20, '1536Mi'],
    [1000, '1000'],
  ])('%d → %s', (bytes, text) => expect(formatMemory(bytes)).toBe(text))
})
