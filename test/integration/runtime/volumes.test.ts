// Volumes of the local runtime with real processes: subPath, tempVolume, and readOnly, which
// holds only where replicas have a mount namespace of their own (as root: uid isolation).
import {existsSync, readFileSync, readdirSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {probeIsolation} from '../../../src/runtime/local/isolation.js'
import {LocalRuntime} from '../../../src/runtime/local/local-runtime.js'
import type {DesiredWorkload, ProcessSpec} from '../../../src/runtime/runtime.js'
import {ROOT} from '../../helpers/run-cli.js'
import {fastRuntimeOptions} from '../../helpers/runtime.js'
import {killReplicasUnder, tempDir} from '../../helpers/server.js'
import {waitFor} from '../../helpers/wait.js'

const home = tempDir('volumes')
const dirs = new Map<number, string>()
const base = () => dirs.get(n)!
const runtimes: LocalRuntime[] = []
afterAll(async () => {
  for (const r of runtimes) await r.close()
  killReplicasUnder(home)
})

// One folder per runtime: an isolated runtime's folders must be traversable by replica uids.
let n = 0
function runtime(isolated: boolean): LocalRuntime {
  const base = join(home, `rt${++n}`)
  dirs.set(n, base)
  const r = new LocalRuntime(
    fastRuntimeOptions(base, {
      ...(isolated ? {isolation: probeIsolation({mode: 'auto', stateDir: home})} : {}),
      minReadyMs: 100,
      cgroups: 'off',
    }),
  )
  runtimes.push(r)
  return r
}

function worker(name: string, volumes: ProcessSpec['volumes'], write: string[], tempVolume?: string): DesiredWorkload {
  return {
    key: {workspace: 'vol', name},
    uid: `uid-${name}`,
    resourceId: `worker:v1beta:${name}:vol`,
    revision: 'rev1',
    replicas: 1,
    spec: {
      command: ['{{.Node}}', join(ROOT, 'test/fixtures/programs/volumes.mjs')],
      context: {Node: process.execPath},
      env: {WRITE: write.join(',')},
      configFiles: {},
      secretFiles: {},
      volumes,
      ...(tempVolume ? {tempVolume} : {}),
      resources: {requests: {}, limits: {}},
      logLevel: 'INFO',
    },
  }
}

async function output(d: DesiredWorkload): Promise<string> {
  const dir = join(base(), 'runtime', d.key.workspace, d.key.name, d.uid)
  return waitFor(`${d.key.name}'s output`, () => {
    try {
      const text = readFileSync(join(dir, readdirSync(dir)[0]!, 'logs', 'current.log'), 'utf8')
      return text.includes('temp ') ? text : undefined
    } catch {
      return undefined
    }
  })
}

const volumes = () => join(base(), 'volumes', 'vol')

describe('volumes', () => {
  it('mounts a sub-folder of a volume with subPath, and keeps the volume for the next replica', async () => {
    const rt = runtime(false)
    const d = worker('sub', [{name: 'shared', path: 'part', readOnly: false, subPath: 'a/b'}], ['part'])
    await rt.sync(d)
    expect(await output(d)).toContain('wrote part')
    expect(readdirSync(join(volumes(), 'shared', 'a', 'b'))).toEqual(['from-0'])
    await rt.remove(d.key)
    expect(existsSync(join(volumes(), 'shared', 'a', 'b', 'from-0'))).toBe(true)
  })

  it('puts the temporary folder in the tempVolume, and empties it with the replica', async () => {
    const rt = runtime(false)
    const d = worker('tmp', [], [], 'scratch')
    await rt.sync(d)
    const temp = /temp (\S+)/.exec(await output(d))![1]!
    expect(temp.startsWith(join(volumes(), 'scratch', 'tmp-'))).toBe(true)
    expect(readdirSync(temp)).toEqual(['scratch'])
    await rt.remove(d.key)
    expect(existsSync(temp)).toBe(false)
    expect(existsSync(join(volumes(), 'scratch'))).toBe(true)
  })

  it('makes a readOnly volume read-only to the program alone, where replicas have a mount namespace', async (context) => {
    const rt = runtime(true)
    if (!rt.limits().readOnlyVolumes) {
      console.warn(
        'SKIPPED: no mount namespace for replicas here (root or user namespaces needed); readOnly is reported as not enforced',
      )
      context.skip()
    }
    const d = worker(
      'ro',
      [
        {name: 'data', path: 'ro', readOnly: true},
        {name: 'data', path: 'rw', readOnly: false},
      ],
      ['ro', 'rw'],
    )
    await rt.sync(d)
    const text = await output(d)
    expect(text).toContain('refused ro EROFS')
    expect(text).toContain('wrote rw')
    // Only this replica's view is read-only: the host still writes the folder.
    expect(readdirSync(join(volumes(), 'data'))).toEqual(['from-0'])
    await rt.remove(d.key)
  })

  it('says readOnly is not enforced where replicas share the host’s mounts', () => {
    expect(runtime(false).limits().readOnlyVolumes).toBe(false)
  })
})
