// The ResourceStore conformance suite: every adapter must pass it (SQLite always; PostgreSQL
// wherever one can run: test/helpers/postgres.ts, required by .ci/run).
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {type ResourceKey, type ResourceStore, StoreConflictError, StoreNotFoundError} from '../../../src/store/store.js'

export type StoreFactory = (options: {eventsPerResource: number}) => Promise<ResourceStore>

const key = (name: string, workspace = 'public', type = 'worker'): ResourceKey => ({workspace, type, name})
const manifest = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  version: 'v1beta',
  type: 'worker',
  worker: {stack: 'node', compute: 'runnable-default', replicas: 1, ...extra},
})
const initialStatus = {phase: 'Pending'}
const write = (name: string, extra: Record<string, unknown> = {}, owner = 'alice') => ({
  key: key(name),
  version: 'v1beta',
  owner,
  manifest: manifest(name, extra),
})

export function describeStoreConformance(adapter: string, factory: StoreFactory): void {
  describe(`ResourceStore conformance: ${adapter}`, () => {
    let store: ResourceStore
    beforeEach(async () => {
      store = await factory({eventsPerResource: 5})
    })
    afterEach(async () => {
      await store.close()
    })

    it('creates a resource with generation 1, a resourceVersion, a uid and the initial status', async () => {
      const {result, record} = await store.putSpec(write('a'), {initialStatus})
      expect(result).toBe('created')
      expect(record).toMatchObject({
        key: key('a'),
        version: 'v1beta',
        owner: 'alice',
        generation: 1,
        status: initialStatus,
        manifest: manifest('a'),
      })
      expect(record.resourceVersion).toBeGreaterThan(0)
      expect(record.uid).toMatch(/^[0-9a-f-]{36}$/)
      expect(record.createdAt).toBe(record.updatedAt)
      expect(await store.get(key('a'))).toEqual(record)
    })

    it('reports an identical apply as unchanged, whatever the key order, and writes nothing', async () => {
      const first = await store.putSpec(write('a', {replicas: 2, logLevel: 'INFO'}), {initialStatus})
      const reordered = {
        ...write('a'),
        manifest: {
          worker: {logLevel: 'INFO', replicas: 2, compute: 'runnable-default', stack: 'node'},
          type: 'worker',
          version: 'v1beta',
          name: 'a',
        },
      }
      const again = await store.putSpec(reordered, {initialStatus})
      expect(again.result).toBe('unchanged')
      expect(again.record.resourceVersion).toBe(first.record.resourceVersion)
    })

    it('bumps generation on a spec change only, resourceVersion on every write', async () => {
      const created = await store.putSpec(write('a'), {initialStatus})
      const updated = await store.putSpec(write('a', {replicas: 3}), {initialStatus})
      expect(updated.result).toBe('updated')
      expect(updated.previous).toEqual(created.record)
      expect(updated.record.generation).toBe(2)
      expect(updated.record.resourceVersion).toBeGreaterThan(created.record.resourceVersion)
      expect(updated.record.createdAt).toBe(created.record.createdAt)
      const status = await store.putStatus(key('a'), {phase: 'Running', observedGeneration: 2})
      expect(status.generation).toBe(2)
      expect(status.resourceVersion).toBeGreaterThan(updated.record.resourceVersion)
      expect((await store.get(key('a')))!.status).toEqual({phase: 'Running', observedGeneration: 2})
      const owner = await store.putSpec(write('a', {replicas: 3}, 'bob'), {initialStatus})
      expect(owner.result).toBe('updated')
      expect(owner.record.generation).toBe(2)
      expect(owner.record.owner).toBe('bob')
      expect(owner.record.status).toEqual({phase: 'Running', observedGeneration: 2}) // apply never writes status
    })

    it('treats a change of sealed data as a spec change', async () => {
      await store.putSpec({...write('s'), sealed: {ciphertext: 'x1', digest: 'd1'}}, {initialStatus})
      expect(
        (await store.putSpec({...write('s'), sealed: {ciphertext: 'x2', digest: 'd1'}}, {initialStatus})).result,
      ).toBe('unchanged')
      const changed = await store.putSpec({...write('s'), sealed: {ciphertext: 'x3', digest: 'd2'}}, {initialStatus})
      expect(changed.result).toBe('updated')
      expect(changed.record.generation).toBe(2)
      expect(changed.record.sealed).toEqual({ciphertext: 'x3', digest: 'd2'})
    })

    it('rejects a write with a stale resourceVersion (409), and 0 means "must not exist"', async () => {
      const created = await store.putSpec(write('a'), {initialStatus, ifResourceVersion: 0})
      await expect(store.putSpec(write('a', {replicas: 2}), {initialStatus, ifResourceVersion: 0})).rejects.toThrow(
        StoreConflictError,
      )
      await expect(
        store.putSpec(write('a', {replicas: 2}), {
          initialStatus,
          ifResourceVersion: created.record.resourceVersion + 100,
        }),
      ).rejects.toThrow(StoreConflictError)
      const ok = await store.putSpec(write('a', {replicas: 2}), {
        initialStatus,
        ifResourceVersion: created.record.resourceVersion,
      })
      expect(ok.result).toBe('updated')
      await expect(
        store.putStatus(key('a'), {phase: 'X'}, {ifResourceVersion: created.record.resourceVersion}),
      ).rejects.toThrow(StoreConflictError)
      await expect(store.delete(key('a'), {ifResourceVersion: created.record.resourceVersion})).rejects.toThrow(
        StoreConflictError,
      )
      expect((await store.get(key('a')))!.manifest).toEqual(manifest('a', {replicas: 2}))
    })

    it('rejects a status write for a missing resource', async () => {
      await expect(store.putStatus(key('nope'), {phase: 'X'})).rejects.toThrow(StoreNotFoundError)
    })

    it('deletes a resource and its events', async () => {
      await store.putSpec(write('a'), {
        initialStatus,
        event: () => ({type: 'Normal', reason: 'Applied', message: 'created'}),
      })
      const deleted = await store.delete(key('a'))
      expect(deleted?.key).toEqual(key('a'))
      expect(await store.get(key('a'))).toBeUndefined()
      expect(await store.delete(key('a'))).toBeUndefined()
      await store.putSpec(write('a'), {initialStatus})
      expect(await store.events(key('a'))).toEqual([])
    })

    it('lists with filters, in key order, a page at a time', async () => {
      for (const name of ['c', 'a', 'b']) await store.putSpec(write(name), {initialStatus})
      await store.putSpec({...write('z', {}, 'bob'), key: key('z', 'team')}, {initialStatus})
      await store.putSpec(
        {key: key('st', '', 'stack'), version: 'v1', owner: 'system', manifest: {name: 'st'}},
        {initialStatus},
      )
      const names = async (filter: Parameters<ResourceStore['list']>[0]) =>
        (await store.list(filter)).map((r) => `${r.key.workspace}/${r.key.type}/${r.key.name}`)
      expect(await names({limit: 100})).toEqual([
        '/stack/st',
        'public/worker/a',
        'public/worker/b',
        'public/worker/c',
        'team/worker/z',
      ])
      expect(await names({limit: 100, type: 'worker', workspace: 'public'})).toEqual([
        'public/worker/a',
        'public/worker/b',
        'public/worker/c',
      ])
      expect(await names({limit: 100, owner: 'bob'})).toEqual(['team/worker/z'])
      expect(await names({limit: 100, name: 'b'})).toEqual(['public/worker/b'])
      expect(await names({limit: 2, type: 'worker'})).toEqual(['public/worker/a', 'public/worker/b'])
      expect(await names({limit: 2, type: 'worker', after: key('b')})).toEqual(['public/worker/c', 'team/worker/z'])
      expect(await store.count()).toBe(5)
      expect(await store.count({type: 'worker'})).toBe(4)
    })

    it('keeps a bounded event history, newest last', async () => {
      await store.putSpec(write('a'), {initialStatus, event: (r) => ({type: 'Normal', reason: 'Applied', message: r})})
      // messages that differ in words, not numbers: each is an event of its own
      const word = ['zero', 'one', 'two', 'three', 'four', 'five', 'six']
      for (let i = 0; i < 7; i++)
        await store.addEvent(key('a'), {
          type: i % 2 ? 'Warning' : 'Normal',
          reason: 'Test',
          message: `event ${word[i]}`,
        })
      const events = await store.events(key('a'))
      expect(events.map((e) => e.message)).toEqual([
        'event two',
        'event three',
        'event four',
        'event five',
        'event six',
      ])
      expect(events[1]).toMatchObject({type: 'Warning', reason: 'Test'})
      expect((await store.events(key('a'), 2)).map((e) => e.message)).toEqual(['event five', 'event six'])
      await store.addEvent(key('missing'), {type: 'Normal', reason: 'Test', message: 'ignored'})
      expect(await store.events(key('missing'))).toEqual([])
    })

    it('counts a repeat of a similar event instead of keeping it twice, as Kubernetes does', async () => {
      await store.putSpec(write('a'), {initialStatus, event: (r) => ({type: 'Normal', reason: 'Applied', message: r})})
      // a crash loop: two events per restart, that differ only in their numbers
      for (let i = 1; i <= 6; i++) {
        await store.addEvent(key('a'), {
          type: 'Warning',
          reason: 'Exited',
          message: `a-0: exited: code 1; restarting in ${i}s`,
        })
        await store.addEvent(key('a'), {
          type: 'Normal',
          reason: 'Started',
          message: `a-0: started (pid ${100 + i}, restart ${i})`,
        })
      }
      // another replica's exit is its own event
      await store.addEvent(key('a'), {
        type: 'Warning',
        reason: 'Exited',
        message: 'a-1: exited: code 1; restarting in 1s',
      })
      const events = await store.events(key('a'))
      expect(events.map((e) => [e.reason, e.message, e.count])).toEqual([
        ['Applied', 'created', undefined],
        ['Exited', 'a-0: exited: code 1; restarting in 6s', 6],
        ['Started', 'a-0: started (pid 106, restart 6)', 6],
        ['Exited', 'a-1: exited: code 1; restarting in 1s', undefined],
      ])
      const exited = events[1]!
      expect(Date.parse(exited.firstTime!)).toBeLessThanOrEqual(Date.parse(exited.time))
    })

    it('counts repeats written in one turn as those written one by one, and keeps the newest', async () => {
      await store.putSpec(write('a'), {initialStatus, event: (r) => ({type: 'Normal', reason: 'Applied', message: r})})
      // Not awaited one by one: a store that batches commits these together.
      const writes: Promise<void>[] = []
      for (let i = 1; i <= 4; i++) {
        writes.push(store.addEvent(key('a'), {type: 'Warning', reason: 'Exited', message: `a-0: exited: code ${i}`}))
        writes.push(store.addEvent(key('a'), {type: 'Normal', reason: 'Started', message: `a-0: started (${i})`}))
        writes.push(store.addEvent(key('b'), {type: 'Normal', reason: 'Test', message: `unlike ${i}`}))
      }
      writes.push(store.addEvent(key('a'), {type: 'Normal', reason: 'Exited', message: 'a-0: exited: code 9'}))
      await Promise.all(writes)
      expect((await store.events(key('a'))).map((e) => [e.type, e.reason, e.message, e.count])).toEqual([
        ['Normal', 'Applied', 'created', undefined],
        ['Warning', 'Exited', 'a-0: exited: code 4', 4],
        ['Normal', 'Started', 'a-0: started (4)', 4],
        // same reason and message shape, another type: an event of its own
        ['Normal', 'Exited', 'a-0: exited: code 9', undefined],
      ])
      // b does not exist: its events are dropped
      expect(await store.events(key('b'))).toEqual([])
    })

    it('keeps the bound when more events than it holds are written in one turn', async () => {
      await store.putSpec(write('a'), {initialStatus})
      await Promise.all(
        Array.from({length: 8}, (_, i) =>
          store.addEvent(key('a'), {type: 'Normal', reason: 'Test', message: `event ${i}`}),
        ),
      )
      expect((await store.events(key('a'), 100)).map((e) => e.message)).toEqual([
        'event 3',
        'event 4',
        'event 5',
        'event 6',
        'event 7',
      ])
    })

    it('records an event only when the spec is created or changed', async () => {
      const event = (r: string) => ({type: 'Normal' as const, reason: 'Applied', message: r})
      await store.putSpec(write('a'), {initialStatus, event})
      await store.putSpec(write('a'), {initialStatus, event})
      await store.putSpec(write('a', {replicas: 5}), {initialStatus, event})
      expect((await store.events(key('a'))).map((e) => e.message)).toEqual(['created', 'updated'])
    })

    it('keeps a rollout history: a revision per new template, renumbered on a return, bounded, deleted with the resource', async () => {
      const apply = (extra: Record<string, unknown>, template: string, cause: string, keep = 3) =>
        store.putSpec(write('a', extra), {initialStatus, revision: {template, cause, keep}})
      await apply({}, 't1', 'created')
      await apply({replicas: 4}, 't1', 'scaled') // same template: the newest revision follows
      await apply({replicas: 4}, 't1', 'unchanged') // nothing written
      await apply({replicas: 4, logLevel: 'DEBUG'}, 't2', 'debug')
      await apply({replicas: 2, logLevel: 'WARN'}, 't3', 'warn')
      let history = await store.revisions(key('a'))
      expect(history.map((r) => [r.revision, r.template, r.cause, r.generation])).toEqual([
        [1, 't1', 'created', 2],
        [2, 't2', 'debug', 3],
        [3, 't3', 'warn', 4],
      ])
      expect((history[0]!.manifest.worker as {replicas: number}).replicas).toBe(4)
      // Back to t1: it becomes revision 4 (its number 1 is gone), as a Deployment's rollback.
      await apply({replicas: 2}, 't1', 'undo')
      history = await store.revisions(key('a'))
      expect(history.map((r) => [r.revision, r.template, r.cause])).toEqual([
        [2, 't2', 'debug'],
        [3, 't3', 'warn'],
        [4, 't1', 'undo'],
      ])
      await apply({replicas: 2, logLevel: 'ERROR'}, 't4', 'error')
      expect((await store.revisions(key('a'))).map((r) => r.revision)).toEqual([3, 4, 5])
      // Without the option (a stack, a secret) nothing is kept.
      await store.putSpec({...write('s'), key: key('s', 'public', 'secret')}, {initialStatus})
      expect(await store.revisions(key('s', 'public', 'secret'))).toEqual([])
      await store.delete(key('a'))
      await apply({}, 't1', 'again')
      expect((await store.revisions(key('a'))).map((r) => [r.revision, r.cause])).toEqual([[1, 'again']])
    })

    it('serializes concurrent writes: none lost, resourceVersions distinct, last acknowledged wins', async () => {
      const acknowledged: {name: string; replicas: number; rv: number}[] = []
      await Promise.all(
        Array.from({length: 200}, (_, i) => {
          const name = `w${i % 20}`
          return store
            .putSpec(write(name, {replicas: i}), {initialStatus})
            .then((r) => acknowledged.push({name, replicas: i, rv: r.record.resourceVersion}))
        }),
      )
      expect(acknowledged).toHaveLength(200)
      expect(new Set(acknowledged.map((a) => a.rv)).size).toBe(200)
      for (let n = 0; n < 20; n++) {
        const last = acknowledged
          .filter((a) => a.name === `w${n}`)
          .sort((a, b) => a.rv - b.rv)
          .at(-1)!
        const stored = await store.get(key(`w${n}`))
        expect(stored!.resourceVersion).toBe(last.rv)
        expect((stored!.manifest.worker as {replicas: number}).replicas).toBe(last.replicas)
      }
    })

    it('fails one conditional write without failing the others committed with it', async () => {
      const a = await store.putSpec(write('a'), {initialStatus})
      const results = await Promise.allSettled([
        store.putSpec(write('b'), {initialStatus}),
        store.putSpec(write('a', {replicas: 9}), {initialStatus, ifResourceVersion: a.record.resourceVersion + 50}),
        store.putSpec(write('c'), {initialStatus}),
      ])
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled'])
      expect(await store.get(key('b'))).toBeDefined()
      expect(await store.get(key('c'))).toBeDefined()
      expect((await store.get(key('a')))!.generation).toBe(1)
    })

    it('stores users with their grants, and API keys by id', async () => {
      expect(await store.countUsers()).toBe(0)
      await store.putUser({name: 'alice', admin: false, grants: [{workspace: 'public', access: 'write'}]})
      await store.putUser({name: 'alice', admin: true, grants: []})
      expect(await store.getUser('alice')).toEqual({name: 'alice', admin: true, grants: []})
      expect(await store.getUser('bob')).toBeUndefined()
      const hash = Buffer.alloc(32, 7)
      await store.addApiKey({id: 'k1', user: 'alice', name: 'laptop', hash, createdAt: '2026-01-01T00:00:00.000Z'})
      expect(await store.findApiKey('k1')).toEqual({
        id: 'k1',
        user: 'alice',
        name: 'laptop',
        hash,
        createdAt: '2026-01-01T00:00:00.000Z',
      })
      expect(await store.findApiKey('k2')).toBeUndefined()
      await expect(store.addApiKey({id: 'k3', user: 'nobody', name: 'x', hash, createdAt: 'now'})).rejects.toThrow()
      expect(await store.countUsers()).toBe(1)
      await store.addApiKey({id: 'k0', user: 'alice', name: 'ci', hash, createdAt: '2026-01-02T00:00:00.000Z'})
      expect((await store.listApiKeys()).map((k) => [k.id, k.name])).toEqual([
        ['k0', 'ci'],
        ['k1', 'laptop'],
      ])
    })

    it('passes its own consistency check', async () => {
      await store.putSpec(write('a'), {initialStatus})
      expect(await store.check()).toBe('ok')
    })
  })
}
