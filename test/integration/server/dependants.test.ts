// A stack or secret write wakes only the workers that use it (main.ts enqueues what
// ResourceService.workersUsing returns), in-process with a real SQLite file.
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {type TestApp, buildTestApp, tempDir} from '../../helpers/server.js'

const worker = (name: string, section: Record<string, unknown>, workspace = 'public') => ({
  manifest: {
    name,
    version: 'v1beta',
    type: 'worker',
    worker: {compute: 'runnable-default', dryRun: true, stackSpec: {source: '0'}, ...section},
  },
  workspace,
})
const stack = (version: string) => ({
  manifest: {
    name: `ticker-${version.replace('.', '-')}`,
    version: 'v1',
    type: 'stack',
    stack: {name: 'ticker', version, command: ['sh', '-c', 'sleep 1000']},
  },
})
const secret = (name: string, workspace = 'public') => ({
  manifest: {name, version: 'v1', type: 'secret', secret: {type: 'key-value', data: {k: 'v'}}},
  workspace,
})

describe('which workers a write concerns', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await buildTestApp(tempDir('dependants'))
    const apply = async (body: Record<string, unknown>) => {
      const r = await t.app.inject({method: 'POST', url: '/api/v1/apply', headers: t.auth('admin'), payload: body})
      expect(r.statusCode, r.body).toBeLessThan(300)
    }
    await apply(stack('1.0'))
    await apply(secret('db'))
    await apply(secret('db', 'team'))
    await apply(worker('env-user', {stack: 'node', secrets: ['db']}))
    await apply(worker('file-user', {stack: 'node', dataosSecrets: [{name: 'db', consumptionType: 'file'}]}))
    await apply(worker('cross-user', {stack: 'node', dataosSecrets: [{name: 'db', workspace: 'public'}]}, 'team'))
    await apply(worker('team-user', {stack: 'node', secrets: ['db']}, 'team'))
    await apply(worker('ticker-latest', {stack: 'ticker'}))
    await apply(worker('ticker-pinned', {stack: 'ticker:1.0'}))
    await apply(worker('plain', {stack: 'node'}))
  })
  afterAll(async () => t.close())

  const names = (keys: {workspace: string; name: string}[]) => keys.map((k) => `${k.workspace}/${k.name}`).sort()

  it('a secret: the workers that consume it, in its workspace or from another', async () => {
    t.changes.length = 0
    await t.app.inject({method: 'POST', url: '/api/v1/apply', headers: t.auth('admin'), payload: secret('db')})
    // Unchanged: no change reported, nothing woken.
    expect(t.changes).toEqual([])
    const changed = {...secret('db'), manifest: {...secret('db').manifest, secret: {type: 'key-value', data: {k: 'w'}}}}
    await t.app.inject({method: 'POST', url: '/api/v1/apply', headers: t.auth('admin'), payload: changed})
    expect(t.changes).toHaveLength(1)
    const {key, change} = t.changes[0]!
    expect(names(await t.service.workersUsing(key, change))).toEqual([
      'public/env-user',
      'public/file-user',
      'team/cross-user',
    ])
  })

  it('a stack: every worker naming it, pinned or not (a new version can change what they resolve to)', async () => {
    t.changes.length = 0
    await t.app.inject({method: 'POST', url: '/api/v1/apply', headers: t.auth('admin'), payload: stack('2.0')})
    const {key, change} = t.changes[0]!
    expect(change.stackNames).toEqual(['ticker'])
    expect(names(await t.service.workersUsing(key, change))).toEqual(['public/ticker-latest', 'public/ticker-pinned'])
  })

  it('a deleted stack still wakes the workers that named it', async () => {
    t.changes.length = 0
    const r = await t.app.inject({
      method: 'DELETE',
      url: '/api/v1/resources/stack/ticker-2-0?force=true',
      headers: t.auth('admin'),
    })
    expect(r.statusCode, r.body).toBe(200)
    const {key, change} = t.changes[0]!
    expect(names(await t.service.workersUsing(key, change))).toEqual(['public/ticker-latest', 'public/ticker-pinned'])
  })
})
