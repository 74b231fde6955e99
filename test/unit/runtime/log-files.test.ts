import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {tailLines} from '../../../src/runtime/local/log-files.js'

describe('tailLines', () => {
  const dir = mkdtempSync(join(tmpdir(), 'drover-tail-'))
  afterAll(() => rmSync(dir, {recursive: true, force: true}))
  const file = (name: string, text: string | Buffer) => {
    const path = join(dir, name)
    writeFileSync(path, text)
    return path
  }

  it('gives the last lines of the newest file, then reaches into older ones (oldest first in the list)', () => {
    const old = file('a.1', 'a1\na2\na3\n')
    const current = file('a', 'b1\nb2\n')
    expect(tailLines([old, current], 1)).toEqual(['b2'])
    expect(tailLines([old, current], 2)).toEqual(['b1', 'b2'])
    expect(tailLines([old, current], 4)).toEqual(['a2', 'a3', 'b1', 'b2'])
    expect(tailLines([old, current], 100)).toEqual(['a1', 'a2', 'a3', 'b1', 'b2'])
  })

  it('keeps a last line without a newline, and skips missing or empty files', () => {
    const partial = file('b', 'x\ny')
    const empty = file('c', '')
    expect(tailLines([join(dir, 'missing'), empty, partial], 5)).toEqual(['x', 'y'])
    expect(tailLines([partial], 0)).toEqual([])
  })

  it('reads files larger than its chunk, and never cuts a character at a chunk boundary', () => {
    // Counted from the end: a newline and 65,534 ASCII bytes, then "é" (2 bytes) across the 64 KiB boundary.
    const tail = `é${'z'.repeat(65_534)}\n`
    const text = `first\n${'y'.repeat(70_000)}\nlong ${tail}`
    const path = file('d', text)
    const lines = tailLines([path], 2)
    expect(lines[1]).toBe(`long ${tail.trimEnd()}`)
    expect(lines[0]).toBe('y'.repeat(70_000))
    expect(tailLines([path], 3)[0]).toBe('first')
  })
})
