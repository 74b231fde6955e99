// rollout history and undo through the built CLI, on the local control plane it starts itself:
// a revision per manifest change but the replica count, and a rollback that runs the earlier
// revision's replicas again (the runtime's revision hash is the same as before) at today's count.
import {mkdtempSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {TEST_HOME, killServerIn, runCli} from '../helpers/run-cli.js'
import {FAST, killReplicasUnder} from '../helpers/server.js'
import {waitFor} from '../helpers/wait.js'

const run = (args: string[]) => runCli(args, {env: {...FAST}, timeoutMs: 30_000})

afterAll(() => {
  killServerIn(join(TEST_HOME, 'data', 'drover'))
  killReplicasUnder(TEST_HOME)
})

const dir = mkdtempSync(join(TEST_HOME, 'manifests-'))
const file = join(dir, 'colour.yaml')
const manifest = (colour: string) =>
  writeFileSync(
    file,
    [
      'name: colour',
      'version: v1beta',
      'type: worker',
      'worker:',
      '  stack: node',
      '  compute: runnable-default',
      '  envs:',
      `    COLOUR: ${colour}`,
      '  stackSpec:',
      '    source: |',
      '      console.log(`colour ${process.env.COLOUR}`)',
      '      setInterval(() => {}, 1000)',
      '',
    ].join('\n'),
  )

interface Runtime {
  status: {phase: string}
  replicas: {pid?: number; ready: boolean; revision: string}[]
}
/** The one revision all `n` replicas run, once they are ready and nothing else runs. */
const settledRevision = (n: number) =>
  waitFor(`${n} ready replicas of one revision`, async () => {
    const rt = JSON.parse((await run(['get', 'runtime', '-n', 'colour', '--output', 'json'])).stdout) as Runtime
    const revisions = new Set(rt.replicas.map((r) => r.revision))
    return rt.status.phase === 'Running' &&
      rt.replicas.length === n &&
      rt.replicas.every((r) => r.ready) &&
      revisions.size === 1
      ? [...revisions][0]
      : undefined
  })
interface History {
  items: {
    revision: number
    cause: string
    current: boolean
    generation: number
    manifest: {worker: {envs: {COLOUR: string}}}
  }[]
}
const history = async () =>
  (JSON.parse((await run(['rollout', 'history', '-n', 'colour', '--output', 'json'])).stdout) as History).items.map(
    (r) => [r.revision, r.cause, r.current, r.manifest.worker.envs.COLOUR],
  )

describe('rollout history and undo', () => {
  let me = ''
  it('keeps a revision per change of the manifest but its replica count', async () => {
    manifest('blue')
    expect((await run(['apply', '-f', file, '--wait'])).code).toBe(0)
    me = (JSON.parse((await run(['whoami', '--output', 'json'])).stdout) as {user: string}).user
    const blue = await settledRevision(1)
    manifest('green')
    expect((await run(['apply', '-f', file, '--wait'])).code).toBe(0)
    expect((await run(['scale', '-n', 'colour', '--replicas', '2'])).code).toBe(0)
    const green = await settledRevision(2)
    expect(green).not.toBe(blue)
    expect(await history()).toEqual([
      [1, `create by ${me}`, false, 'blue'],
      [2, `apply by ${me}`, true, 'green'],
    ])
    const table = await run(['rollout', 'history', '-n', 'colour'])
    expect(table.stdout).toMatch(
      new RegExp(
        `^REVISION +AGE +GENERATION +CHANGE-CAUSE\n1 +\\d+s +1 +create by ${me}\n2 \\* +\\d+s +3 +apply by ${me}\n$`,
      ),
    )
    const one = await run(['rollout', 'history', '-i', 'colour | v1beta | worker | public', '--revision', '1'])
    expect(one.stdout).toMatch(new RegExp(`^revision 1: create by ${me}, \\S+\nname: colour\n`))
    expect(one.stdout).toContain('COLOUR: blue')
    expect(one.stdout).toContain('replicas: 1')

    // Back to revision 1: blue again, as the same runtime revision, with the 2 replicas of now.
    const undo = await run(['rollout', 'undo', '-n', 'colour'])
    expect(undo).toEqual({
      code: 0,
      stderr: '',
      stdout: 'colour:v1beta:worker (public): rolled back to revision 1 (now revision 3, generation 4)\n',
    })
    expect(await settledRevision(2)).toBe(blue)
    expect(await history()).toEqual([
      [2, `apply by ${me}`, false, 'green'],
      [3, `rollback to revision 1 by ${me}`, true, 'blue'],
    ])
    expect((await run(['describe', '-n', 'colour'])).stdout).toMatch(
      new RegExp(`RolledBack +\\S+ +rolled back to revision 1 by ${me} \\(generation 4\\)`),
    )

    // And forward again, by number.
    const forward = await run(['rollout', 'undo', '-n', 'colour', '--to-revision', '2', '--output', 'json'])
    expect(JSON.parse(forward.stdout)).toMatchObject({changed: true, revision: 4, result: 'rolled back to revision 2'})
    expect(await settledRevision(2)).toBe(green)
    // Seventeen CLI runs and four rollouts: past 20 s on a loaded 2-core machine (a stress run).
  }, 60_000)

  it('says when there is nothing to do, and refuses what does not exist', async () => {
    const same = await run(['rollout', 'undo', '-n', 'colour', '--to-revision', '4'])
    expect(same).toEqual({
      code: 0,
      stderr: '',
      stdout: 'colour:v1beta:worker (public): skipped: revision 4 is the one in force\n',
    })
    const gone = await run(['rollout', 'undo', '-n', 'colour', '--to-revision', '1'])
    expect(gone.code).toBe(3)
    expect(gone.stderr).toContain('worker colour has no revision 1 (kept: 3, 4)')
    expect((await run(['rollout', 'history', '-n', 'colour', '--revision', '9'])).code).toBe(3)
    const bad = await run(['rollout', 'undo', '-n', 'colour', '--to-revision', 'latest'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('--to-revision must be a revision number (1, 2, …), not "latest"')
    expect((await run(['rollout', 'history', '-n', 'nothing-here'])).code).toBe(3)
    // Deleted with its worker: a new worker of the same name starts at revision 1.
    expect((await run(['delete', '-t', 'worker', '-n', 'colour', '--wait'])).code).toBe(0)
    manifest('red')
    expect((await run(['apply', '-f', file])).code).toBe(0)
    expect(await history()).toEqual([[1, `create by ${me}`, true, 'red']])
    const first = await run(['rollout', 'undo', '-n', 'colour'])
    expect(first.code).toBe(3)
    expect(first.stderr).toContain('worker colour has no earlier revision to roll back to (kept: 1)')
  })
})
