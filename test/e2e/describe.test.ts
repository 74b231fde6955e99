// describe through the built CLI against a real control plane: kubectl's layout, a worker's
// replicas, and a crash loop's events counted rather than repeated.
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {apply, nodeWorker} from '../helpers/api.js'
import {runCli} from '../helpers/run-cli.js'
import {FAST, type ServerProcess, killReplicasUnder, startServerProcess, tempDir} from '../helpers/server.js'
import {waitFor} from '../helpers/wait.js'

describe('describe', () => {
  const home = tempDir('describe')
  let server: ServerProcess
  let env: Record<string, string>
  beforeAll(async () => {
    server = await startServerProcess({home, env: FAST})
    env = {DROVER_URL: server.url, DROVER_APIKEY: server.adminKey}
  })
  afterAll(async () => {
    await server?.stop()
    killReplicasUnder(home)
  })

  it('shows a worker: what it asks for, its conditions, replicas and events', async () => {
    expect((await runCli(['apply', '-f', 'examples/worker-minimal.yaml', '--wait'], {env})).code).toBe(0)
    const r = await runCli(['describe', '-n', 'hello-worker'], {env})
    expect(r.code).toBe(0)
    const out = r.stdout
    expect(out).toMatch(/^Name: {9}hello-worker\nType: {9}worker \(v1beta\)\nWorkspace: {4}public\nOwner: {8}\S+\n/)
    expect(out).toMatch(/\nStatus: {7}Running\n/)
    expect(out).toMatch(/\nReplicas: {5}1 desired \| 1 ready \| 1 running\n/)
    expect(out).toMatch(
      /\nConditions:\n {2}TYPE +STATUS +REASON +MESSAGE\n {2}Ready +True +ReplicasReady +1\/1 replicas ready\n/,
    )
    expect(out).toMatch(
      /\nReplicas:\n {2}REPLICA +PID +PHASE +READY +RESTARTS +CPU +MEMORY +AGE\n {2}hello-worker-[0-9a-f]{8}-0 +\d+ +Running +yes +0 /,
    )
    expect(out).toMatch(
      /\nEvents:\n {2}TYPE +REASON +AGE +MESSAGE\n {2}Normal +Applied +\d+s +created by \S+ \(generation 1\)\n/,
    )
    const json = JSON.parse((await runCli(['describe', '-n', 'hello-worker', '--output', 'json'], {env})).stdout)
    expect(Object.keys(json)).toEqual(['resource', 'events', 'runtime'])
  })

  it('counts the events of a crash loop instead of repeating them', async () => {
    expect((await apply(server, nodeWorker('crasher', 'process.exit(3)'))).status).toBe(200)
    const out = await waitFor('five counted exits', async () => {
      const r = await runCli(['describe', '-n', 'crasher'], {env})
      return /Warning +Exited +\d+s \(x([5-9]|\d\d+) over \d+s\) +crasher-[0-9a-f]{8}-0: exited: exit code 3 \(Error\)/.test(
        r.stdout,
      )
        ? r.stdout
        : undefined
    })
    // one line per kind of event, however many restarts
    const events = out.slice(out.indexOf('Events:'))
    expect(events.match(/ Exited /g)).toHaveLength(1)
    // (the first start, without a restart count, is worded apart)
    expect(events.match(/ Started /g)!.length).toBeLessThanOrEqual(2)
    expect(out).toMatch(/\nStatus: {7}CrashLooping\n/)
  })

  it('describes a secret without replicas, and says when a resource does not exist', async () => {
    expect((await runCli(['apply', '-f', 'examples/secret.yaml'], {env: {...env, PASSWORD: 'x'}})).code).toBe(0)
    const secret = await runCli(['describe', '-t', 'secret', '-n', 'db-credentials'], {env})
    expect(secret.code).toBe(0)
    expect(secret.stdout).toMatch(/^Name: {9}db-credentials\nType: {9}secret \(v1\)\n/)
    expect(secret.stdout).not.toContain('Replicas:')
    const missing = await runCli(['describe', '-n', 'nope'], {env})
    expect(missing.code).toBe(3)
  })
})
