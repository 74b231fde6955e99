// The log pump through a real perl: every line stamped with the time it arrived, an unfinished
// line kept until its end (or the end of input), a line longer than 64 KiB cut there.
import {spawnSync} from 'node:child_process'
import {mkdtempSync, readFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {installLogPump, splitStamp} from '../../../src/runtime/local/log-pump.js'

const STAMP = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z) /

describe('log pump', () => {
  const pump = installLogPump(mkdtempSync(join(tmpdir(), 'drover-pump-')), process.env.PATH)!
  const run = (input: string | Buffer) => {
    const before = new Date().toISOString()
    const r = spawnSync(pump.perl, [pump.script], {input})
    expect(r.status).toBe(0)
    expect(r.stderr.toString()).toBe('')
    return {out: r.stdout.toString(), before, after: new Date().toISOString()}
  }

  it('is installed from the generated script and found on PATH', () => {
    expect(pump.perl).toMatch(/\/perl$/)
    expect(readFileSync(pump.script, 'utf8')).toContain("drover's log pump")
  })

  it('stamps every line with the time it arrived, to the millisecond, in UTC', () => {
    const {out, before, after} = run('one\ntwo\n\nthree with spaces  \n')
    const lines = out.split('\n')
    expect(lines.pop()).toBe('')
    expect(lines.map((l) => l.replace(STAMP, ''))).toEqual(['one', 'two', '', 'three with spaces  '])
    for (const line of lines) {
      const time = STAMP.exec(line)![1]!
      expect(time >= before.slice(0, 23) && time <= after).toBe(true)
    }
  })

  it('writes an unfinished last line at the end of input, and cuts a line over 64 KiB', () => {
    expect(run('no newline').out).toMatch(/^\S+Z no newline\n$/)
    const long = 'x'.repeat(70_000)
    const lines = run(`${long}\nafter\n`).out.trimEnd().split('\n')
    expect(lines.map((l) => l.replace(STAMP, '').length)).toEqual([65_536, 70_000 - 65_536, 5])
  })

  it('passes bytes through unchanged (UTF-8, binary)', () => {
    const bytes = Buffer.from([0xe2, 0x82, 0xac, 0x20, 0x00, 0xff, 0x0a])
    const out = spawnSync(pump.perl, [pump.script], {input: bytes}).stdout
    expect(out.subarray(out.length - bytes.length)).toEqual(bytes)
  })
})

describe('splitStamp', () => {
  it('splits a stored line into its time and text; a line without one is all text', () => {
    expect(splitStamp('2026-11-24T08:42:06.140Z hello')).toEqual({time: '2026-11-24T08:42:06.140Z', text: 'hello'})
    expect(splitStamp('2026-11-24T08:42:06.140Z ')).toEqual({time: '2026-11-24T08:42:06.140Z', text: ''})
    expect(splitStamp('hello')).toEqual({text: 'hello'})
    expect(splitStamp('2026-11-24 08:42:06 not ours')).toEqual({text: '2026-11-24 08:42:06 not ours'})
  })
})
