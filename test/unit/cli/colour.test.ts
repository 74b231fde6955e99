import {describe, expect, it} from 'vitest'
import {PLAIN, colourLevel, paintStatus, palette} from '../../../src/cli/output/colour.js'

describe('colourLevel', () => {
  const tty = {isTTY: true}
  const pipe = {isTTY: false}
  it.each([
    ['a terminal', tty, {}, 1],
    ['a pipe', pipe, {}, 0],
    ['NO_COLOR on a terminal', tty, {NO_COLOR: '1'}, 0],
    ['an empty NO_COLOR (no-color.org: only a non-empty value counts)', tty, {NO_COLOR: ''}, 1],
    ['TERM=dumb', tty, {TERM: 'dumb'}, 0],
    ['FORCE_COLOR on a pipe', pipe, {FORCE_COLOR: '1'}, 1],
    ['FORCE_COLOR=3', pipe, {FORCE_COLOR: '3'}, 3],
    ['FORCE_COLOR beats NO_COLOR (as in Node)', pipe, {FORCE_COLOR: '2', NO_COLOR: '1'}, 2],
    ['FORCE_COLOR=0 on a terminal', tty, {FORCE_COLOR: '0'}, 0],
  ] as const)('%s', (_, stream, env, level) => {
    expect(colourLevel(stream, env)).toBe(level)
  })
})

describe('paintStatus', () => {
  it('colours by what the status says', async () => {
    const p = await palette({isTTY: false}, {FORCE_COLOR: '1'})
    const red = (s: string) => `\u001B[31m${s}\u001B[39m`
    const green = (s: string) => `\u001B[32m${s}\u001B[39m`
    const yellow = (s: string) => `\u001B[33m${s}\u001B[39m`
    expect(paintStatus(p, 'running:2/3')).toBe(green('running:2/3'))
    expect(paintStatus(p, 'crashlooping:0/1')).toBe(red('crashlooping:0/1'))
    expect(paintStatus(p, 'Running (crash-looping)')).toBe(red('Running (crash-looping)'))
    expect(paintStatus(p, 'running:2/2 (rollout blocked)')).toBe(yellow('running:2/2 (rollout blocked)'))
    expect(paintStatus(p, 'progressing:1/2')).toBe(yellow('progressing:1/2'))
    expect(paintStatus(p, 'error')).toBe(red('error'))
    expect(paintStatus(p, 'stopped:0/0')).toBe('\u001B[2mstopped:0/0\u001B[22m')
    expect(paintStatus(p, 'public')).toBe('public')
    expect(paintStatus(PLAIN, 'running:1/1')).toBe('running:1/1')
  })
})
