// scale, stop, start and restart through the built CLI, on the local control plane it starts
// itself (millisecond policies): what runs is checked by the replicas' processes.
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {replicaWrappers} from '../helpers/procs.js'
import {TEST_HOME, killServerIn, runCli} from '../helpers/run-cli.js'
import {FAST, killReplicasUnder} from '../helpers/server.js'
import {waitFor} from '../helpers/wait.js'

const run = (args: string[]) => runCli(args, {env: {...FAST}, timeoutMs: 30_000})

afterAll(() => {
  killServerIn(join(TEST_HOME, 'data', 'drover'))
  killReplicasUnder(TEST_HOME)
})

interface Runtime {
  status: {phase: string; readyReplicas?: number; desiredReplicas?: number}
  replicas: {pid?: number; ready: boolean; revision: string}[]
}
const runtime = async (): Promise<Runtime> =>
  JSON.parse((await run(['get', 'runtime', '-n', 'hello-worker', '--output', 'json'])).stdout) as Runtime
const replicaPids = () =>
  replicaWrappers(TEST_HOME)
    .filter((p) => p.cmdline.includes('/hello-worker/'))
    .map((p) => p.pid)
/** Waits until the worker runs `n` ready replicas and nothing else. */
const settled = (n: number) =>
  waitFor(`${n} ready replicas`, async () => {
    const rt = await runtime()
    const ready = rt.replicas.filter((r) => r.ready && r.pid !== undefined)
    return rt.status.phase === 'Running' && ready.length === n && rt.replicas.length === n ? rt : undefined
  })

describe('scale, stop, start and restart', () => {
  it('scale sets the replicas, and says when there is nothing to do', async () => {
    expect((await run(['apply', '-f', 'examples/worker-minimal.yaml', '--wait'])).code).toBe(0)
    const r = await run(['scale', '-n', 'hello-worker', '--replicas', '2'])
    expect(r).toEqual({code: 0, stdout: 'hello-worker:v1beta:worker (public): replicas 1 → 2\n', stderr: ''})
    await settled(2)
    expect((await run(['get', '-t', 'worker', '-n', 'hello-worker'])).stdout).toContain('| running:2/2 |')
    expect((await run(['scale', '-i', 'hello-worker | v1beta | worker | public', '--replicas', '2'])).stdout).toBe(
      'hello-worker:v1beta:worker (public): already 2 replicas\n',
    )
  })

  it('restart replaces every replica with a new one, one at a time', async () => {
    const before = await settled(2)
    const oldPids = before.replicas.map((r) => r.pid)
    const r = await run(['restart', '-n', 'hello-worker', '--output', 'json'])
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout)).toMatchObject({action: 'restart', changed: true})
    // kubectl's habit: restart, then rollout status, which returns once the new replicas serve
    const status = await run(['rollout', 'status', '-n', 'hello-worker', '--timeout', '1m'])
    expect(status.stdout).toMatch(
      /^hello-worker:v1beta:worker \(public\): rolled out \(generation \d+\): 2\/2 replicas ready\n$/,
    )
    expect(status.code).toBe(0)
    const after = await runtime()
    expect(after.replicas.filter((x) => x.ready)).toHaveLength(2)
    expect(after.replicas.every((x) => !oldPids.includes(x.pid))).toBe(true)
    expect(after.replicas.every((x) => x.revision !== before.replicas[0]!.revision)).toBe(true)
    const events = (await run(['get', '-t', 'worker', '-n', 'hello-worker', '-d'])).stdout
    expect(events).toMatch(/Restarting +rolling restart by /)
  })

  it('stop keeps the worker with nothing running, across an apply, until start', async () => {
    expect((await run(['stop', '-n', 'hello-worker'])).stdout).toBe('hello-worker:v1beta:worker (public): stopped\n')
    await waitFor('no replica left', () => replicaPids().length === 0 || undefined)
    await waitFor(
      'shown stopped',
      async () =>
        (await run(['get', '-t', 'worker', '-n', 'hello-worker'])).stdout.includes('| stopped:0/0 |') || undefined,
    )
    expect((await run(['stop', '-n', 'hello-worker'])).stdout).toBe(
      'hello-worker:v1beta:worker (public): already stopped\n',
    )
    expect((await run(['restart', '-n', 'hello-worker'])).code).toBe(4) // a stopped worker is started, not restarted
    // The file says 1 replica (scale said 2): the apply changes the spec, and it stays stopped.
    const applied = await run(['apply', '-f', 'examples/worker-minimal.yaml', '--wait'])
    expect(applied.stdout).toBe(
      [
        'hello-worker:v1beta:worker (public): updated',
        '  ~ worker.replicas: 2 → 1',
        'hello-worker:v1beta:worker (public): ready: stopped: drover start runs it',
        '',
      ].join('\n'),
    )
    expect(replicaPids()).toEqual([])
    expect((await run(['start', '-n', 'hello-worker'])).stdout).toBe('hello-worker:v1beta:worker (public): started\n')
    await settled(1)
    expect(replicaPids()).toHaveLength(1)
  })

  it('delete --wait returns once the replicas have stopped', async () => {
    expect(replicaPids()).toHaveLength(1)
    expect((await run(['delete', '-n', 'hello-worker', '--timeout', '1m'])).code).toBe(2) // --timeout goes with --wait
    const r = await run(['delete', '-t', 'worker', '-n', 'hello-worker', '--wait', '--timeout', '1m'])
    expect(r).toEqual({
      code: 0,
      stderr: '',
      stdout: 'hello-worker:v1beta:worker (public): deleted\nhello-worker:v1beta:worker (public): replicas stopped\n',
    })
    expect(replicaPids()).toEqual([]) // at once: no waiting after the command
    expect((await run(['apply', '-f', 'examples/worker-minimal.yaml', '--wait'])).code).toBe(0)
  })

  it('refuses what it cannot do, with the documented exit codes', async () => {
    expect((await run(['rollout', 'status', '-n', 'no-such-worker'])).code).toBe(3)
    const missing = await run(['scale', '-n', 'no-such-worker', '--replicas', '1'])
    expect(missing.code).toBe(3)
    expect(missing.stderr).toContain('worker "no-such-worker" not found in workspace public')
    const bad = await run(['scale', '-n', 'hello-worker', '--replicas', 'two'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('--replicas must be a whole number of 0 or more, not "two"')
    expect((await run(['stop', '-t', 'stack', '-n', 'node'])).code).toBe(2)
    expect((await run(['apply', '-f', 'examples/worker-autoscaling.yaml'])).code).toBe(0)
    const autoscaled = await run(['scale', '-n', 'busy-worker', '--replicas', '3'])
    expect(autoscaled.code).toBe(1)
    expect(autoscaled.stderr).toContain('worker busy-worker is autoscaled (1 to 4 replicas)')
  })
})
