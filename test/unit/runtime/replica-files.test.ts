// Containment of every path built from a manifest (src/runtime/local/replica-files.ts).
import {existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {PathEscapeError, contained, prepareReplicaFiles} from '../../../src/runtime/local/replica-files.js'
import type {ProcessSpec} from '../../../src/runtime/runtime.js'
import {tempDir} from '../../helpers/server.js'

const spec = (extra: Partial<ProcessSpec>): ProcessSpec => ({
  command: ['true'],
  context: {},
  env: {},
  configFiles: {},
  secretFiles: {},
  volumes: [],
  resources: {requests: {}, limits: {}},
  logLevel: 'INFO',
  ...extra,
})

describe('replica files', () => {
  const home = tempDir('replica-files')

  it.each([
    ['data', 'data'],
    ['/data', 'data'],
    ['a/b', 'a/b'],
    ['//x', 'x'],
  ])('%s stays inside', (path, rel) => {
    expect(contained('/base', path)).toBe(join('/base', rel))
  })

  it.each(['..', '../x', 'a/../../x', '/../etc', '', '.', 'a\0b'])('%j is refused', (path) => {
    expect(() => contained('/base', path)).toThrow(PathEscapeError)
  })

  it('never replaces a file in the way, nor follows a link out of the replica folder', () => {
    const replica = join(home, 'r1')
    const outside = join(home, 'outside')
    mkdirSync(outside)
    writeFileSync(join(outside, 'precious'), 'keep')
    mkdirSync(replica)
    symlinkSync(outside, join(replica, 'link'))
    expect(() =>
      prepareReplicaFiles(
        replica,
        spec({volumes: [{name: 'v', path: 'link/precious', readOnly: false}]}),
        join(home, 'vols'),
        undefined,
      ),
    ).toThrow(/is a link/)
    expect(readFileSync(join(outside, 'precious'), 'utf8')).toBe('keep')
    writeFileSync(join(replica, 'data'), 'mine')
    expect(() =>
      prepareReplicaFiles(
        replica,
        spec({volumes: [{name: 'v', path: 'data', readOnly: false}]}),
        join(home, 'vols'),
        undefined,
      ),
    ).toThrow(/not a volume/)
    expect(readFileSync(join(replica, 'data'), 'utf8')).toBe('mine')
    const dirs = prepareReplicaFiles(
      replica,
      spec({
        configFiles: {'a.yaml': 'x'},
        secretFiles: {'s/KEY': 'v'},
        volumes: [{name: 'v', path: '/mnt/v', readOnly: false}],
      }),
      join(home, 'vols'),
      undefined,
    )
    expect(readFileSync(join(dirs.configDir, 'a.yaml'), 'utf8')).toBe('x')
    expect(existsSync(join(replica, 'mnt', 'v'))).toBe(true)
  })
})
