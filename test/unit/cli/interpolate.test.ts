import {describe, expect, it} from 'vitest'
import {interpolate} from '../../../src/cli/manifests/interpolate.js'

const env = {HOME: '/home/me', EMPTY: '', N: '3'}

describe('interpolate', () => {
  it.each([
    ['$HOME/data', '/home/me/data'],
    ['${HOME}/data', '/home/me/data'],
    ['${N}${N}', '33'],
    ['${MISSING:-fallback}', 'fallback'],
    ['${EMPTY:-fallback}', 'fallback'],
    ['${EMPTY-fallback}', ''],
    ['${MISSING-fallback}', 'fallback'],
    ['${MISSING:-}', ''],
    ['cost: $$5', 'cost: $5'],
    ['$$HOME', '$HOME'],
  ])('%j → %j', (input, output) => expect(interpolate(input, env)).toEqual({text: output, missing: [], changed: true}))

  it.each([
    // Bento interpolation, documentation placeholders and prices are not references.
    '${! json("id") }',
    '${{workspace}}',
    'costs $5',
    'ends with $',
    'no dollar at all',
  ])('leaves %j alone', (input) => expect(interpolate(input, env)).toEqual({text: input, missing: [], changed: false}))

  it('reports every unset variable once, leaving the text as written', () =>
    expect(interpolate('$A ${B} $A ${C:-ok}', env)).toEqual({
      text: '$A ${B} $A ok',
      missing: ['A', 'B'],
      changed: true,
    }))
})
