// The PostgreSQL store against a real PostgreSQL (test/helpers/postgres.ts): the conformance suite
// every store passes, then what is its own. Skipped with one loud line where there is none.
import {spawnSync} from 'node:child_process'
import {randomBytes} from 'node:crypto'
import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {PostgresStore} from '../../../src/store/postgres/postgres-store.js'
import postgres from 'postgres'
import {PG_MIGRATIONS} from '../../../src/store/postgres/migrations.js'
import {FencedError, type ResourceKey, similarityKey} from '../../../src/store/store.js'
import {apply, call, nodeWorker} from '../../helpers/api.js'
import {type TestPostgres, postgresAvailable, startPostgres} from '../../helpers/postgres.js'
import {NODE, ROOT, cliEnv, runCli} from '../../helpers/run-cli.js'
import {FAST, startServerProcess, tempDir} from '../../helpers/server.js'
import {waitFor} from '../../helpers/wait.js'
import {describeStoreConformance} from './conformance.js'

let pg: TestPostgres | undefined
let n = 0
const schema = () => `t_${randomBytes(4).toString('hex')}_${n++}`

describe.skipIf(!postgresAvailable)('PostgreSQL', () => {
  beforeAll(async () => {
    pg = await startPostgres()
  }, 60_000)
  afterAll(async () => {
    await pg?.stop()
  })

  // A schema of its own per test, in one database.
  describeStoreConformance('postgres', async ({eventsPerResource}) =>
    PostgresStore.open({url: pg!.url, schema: schema(), eventsPerResource}),
  )

  describe('PostgresStore', () => {
    /** A worker's spec with `replicas`, applied through `store`. */
    const putReplicas = (store: PostgresStore, key: ResourceKey, replicas: number) =>
      store.putSpec({key, version: 'v1beta', owner: 'me', manifest: {replicas}}, {initialStatus: {phase: 'Pending'}})

    /** A store on a schema of its own, closed after `body`. */
    const withStore = async (body: (store: PostgresStore) => Promise<void>) => {
      const store = await PostgresStore.open({url: pg!.url, schema: schema()})
      try {
        await body(store)
      } finally {
        await store.close()
      }
    }

    /** Two stores on one schema, as two control planes on one database; both closed after `body`. */
    const withTwoStores = async (body: (a: PostgresStore, b: PostgresStore) => Promise<void>) => {
      const shared = schema()
      const a = await PostgresStore.open({url: pg!.url, schema: shared})
      const b = await PostgresStore.open({url: pg!.url, schema: shared})
      try {
        await body(a, b)
      } finally {
        await a.close()
        await b.close()
      }
    }

    it('migrates once, even when several control planes start at once', async () => {
      const shared = schema()
      const stores = await Promise.all(
        Array.from({length: 4}, () => PostgresStore.open({url: pg!.url, schema: shared})),
      )
      for (const s of stores) await s.close()
      const again = await PostgresStore.open({url: pg!.url, schema: shared})
      expect(await again.check()).toBe('ok')
      await again.close()
    })

    it('gives the events stored before migration 4 the similarity key the store gives new ones, one per repeat', async () => {
      const shared = schema()
      const url = new URL(pg!.url)
      const host = url.searchParams.get('host')
      url.searchParams.delete('host')
      const sql = postgres(url.toString(), {
        ...(host ? {host} : {}),
        onnotice: () => {},
        connection: {search_path: shared},
      })
      const messages = [
        'created',
        'a-0: exited: code 1; restarting in 1s',
        'a-0: exited: code 1; restarting in 2.5s',
        'a-0:started (pid 102)',
        ': leading separator 1',
        'é-0: ünïcode 22 🚀 x: 1.2.3',
      ]
      try {
        await sql.unsafe(`CREATE SCHEMA "${shared}"`)
        await sql.begin(async (tx) => {
          await tx`CREATE TABLE schema_migrations (version integer PRIMARY KEY, applied_at text NOT NULL)`
          for (const m of PG_MIGRATIONS.filter((m) => m.version < 4)) {
            await tx.unsafe(m.sql)
            await tx`INSERT INTO schema_migrations (version, applied_at) VALUES (${m.version}, 'then')`
          }
          for (const message of messages)
            await tx`INSERT INTO events (workspace, type, name, time, kind, reason, message)
              VALUES ('public', 'worker', 'old', 'then', 'Normal', 'Test', ${message})`
        })
        const store = await PostgresStore.open({url: pg!.url, schema: shared})
        await store.close()
        const rows = await sql`SELECT message, similarity FROM events ORDER BY id`
        // of two similar events (not kept by any store, but possible in old data), the older goes
        const kept = messages.filter((m) => m !== 'a-0: exited: code 1; restarting in 1s')
        expect(rows.map((r) => [r.message, r.similarity])).toEqual(kept.map((m) => [m, similarityKey(m)]))
      } finally {
        await sql.end()
      }
    })

    it('commits the writes of one event-loop turn in one transaction, in resourceVersion order', async () => {
      await withStore(async (store) => {
        const before = store.stats.commits
        const results = await Promise.all(
          Array.from({length: 50}, (_, i) =>
            store.putSpec(
              {
                key: {workspace: 'public', type: 'worker', name: `w${i}`},
                version: 'v1beta',
                owner: 'me',
                manifest: {i},
              },
              {initialStatus: {phase: 'Pending'}},
            ),
          ),
        )
        expect(store.stats.commits - before).toBe(1)
        const versions = results.map((r) => r.record.resourceVersion)
        expect(versions).toEqual([...versions].sort((a, b) => a - b))
        expect(new Set(versions).size).toBe(50)
      })
    })

    it('caches what it reads, and a write of another control plane reaches that cache through the change feed', async () => {
      await withTwoStores(async (a, b) => {
        const key = {workspace: 'public', type: 'worker', name: 'fed'}
        const put = (store: PostgresStore, replicas: number) => putReplicas(store, key, replicas)
        await put(a, 1)
        const first = await a.get(key)
        expect(await a.get(key)).toBe(first) // the same frozen record: from the cache
        await put(b, 2)
        const seen = await waitFor('the other store’s write', async () => {
          const r = await a.get(key)
          return r?.manifest.replicas === 2 ? r : undefined
        })
        expect(seen.resourceVersion).toBeGreaterThan(first!.resourceVersion)
        await b.delete(key)
        await waitFor('the other store’s delete', async () => ((await a.get(key)) === undefined ? true : undefined))
        expect(await a.check()).toBe('ok')
      })
    })

    it('decides a write on the row as committed, not on a cached record another control plane changed', async () => {
      await withTwoStores(async (a, b) => {
        const key = {workspace: 'public', type: 'worker', name: 'raced'}
        const put = (store: PostgresStore, replicas: number) => putReplicas(store, key, replicas)
        await put(a, 1)
        expect((await a.get(key))?.generation).toBe(1) // cached by a
        // b writes, and a writes at once: whether or not the feed has reached a, its batch
        // reads the row (at another resourceVersion than its cache) and decides on it.
        const {record: byB} = await put(b, 2)
        const status = await a.putStatus(key, {phase: 'Running'}, {ifResourceVersion: byB.resourceVersion})
        expect(status).toMatchObject({generation: 2, manifest: {replicas: 2}, status: {phase: 'Running'}})
        const {record: byA} = await put(a, 3)
        expect(byA.generation).toBe(3)
        expect(await a.get(key)).toMatchObject({generation: 3, resourceVersion: byA.resourceVersion})
        await b.delete(key)
        await expect(a.putStatus(key, {phase: 'Failed'})).rejects.toThrow(/does not exist/)
        expect(await a.get(key)).toBeUndefined()
      })
    })

    it('serializes two control planes creating and updating one new key at once: one created, one uid, no version twice', async () => {
      await withTwoStores(async (a, b) => {
        const key = {workspace: 'public', type: 'worker', name: 'contended'}
        const results = await Promise.all(
          Array.from({length: 40}, (_, i) =>
            (i % 2 === 0 ? a : b).putSpec(
              {key, version: 'v1beta', owner: 'me', manifest: {replicas: i}},
              {initialStatus: {phase: 'Pending'}, event: (r) => ({type: 'Normal', reason: 'Applied', message: r})},
            ),
          ),
        )
        expect(results.filter((r) => r.result === 'created')).toHaveLength(1)
        expect(new Set(results.map((r) => r.record.uid)).size).toBe(1)
        const versions = results.map((r) => r.record.resourceVersion)
        expect(new Set(versions).size).toBe(40)
        expect(versions.every((v) => Number.isSafeInteger(v) && v > 0)).toBe(true)
        expect(new Set(results.map((r) => r.record.generation)).size).toBe(40)
        const last = results.reduce((x, y) => (y.record.resourceVersion > x.record.resourceVersion ? y : x))
        const stored = await waitFor('both stores to agree', async () => {
          const [ra, rb] = [await a.get(key), await b.get(key)]
          return ra?.resourceVersion === last.record.resourceVersion && rb?.resourceVersion === ra.resourceVersion
            ? ra
            : undefined
        })
        expect(stored).toMatchObject({generation: 40, manifest: last.record.manifest})
        expect(await a.check()).toBe('ok')
      })
    })

    it('fences the scheduler: writes of an epoch that no longer leads are refused, the rest of their batch commits', async () => {
      await withTwoStores(async (a, b) => {
        const key = {workspace: 'public', type: 'worker', name: 'fenced'}
        await a.putSpec(
          {key, version: 'v1beta', owner: 'root', manifest: {name: 'fenced'}},
          {initialStatus: {phase: 'Pending'}},
        )
        const first = await a.acquireLease('a', 60_000)
        expect(first).toBe(1)
        expect(await b.acquireLease('b', 60_000), 'held by a').toBeUndefined()
        await a.putStatus(key, {phase: 'Running'}, {epoch: 1})
        // a's lease runs out (renewed for 1 ms: as if it stopped renewing); b takes it, epoch 2.
        expect(await a.renewLease('a', 1, 1)).toBe(true)
        await waitFor('the lease to expire', async () => ((await b.lease()).remainingMs! <= 0 ? true : undefined))
        expect(await b.acquireLease('b', 60_000)).toBe(2)
        expect(await a.renewLease('a', 1, 60_000), 'a cannot renew what b took').toBe(false)
        // One batch: a's scheduler writes under epoch 1 fail, its API write and b's epoch-2 write commit.
        const [stale, staleEvent, api, current] = await Promise.allSettled([
          a.putStatus(key, {phase: 'Failed'}, {epoch: 1}),
          a.addEvent(key, {type: 'Warning', reason: 'Stale', message: 'from epoch 1'}, {epoch: 1}),
          a.putSpec(
            {key: {...key, name: 'api'}, version: 'v1beta', owner: 'root', manifest: {name: 'api'}},
            {initialStatus: {phase: 'Pending'}},
          ),
          b.putStatus(key, {phase: 'Running', readyReplicas: 1}, {epoch: 2}),
        ])
        expect(stale.status === 'rejected' && stale.reason).toBeInstanceOf(FencedError)
        expect(staleEvent.status === 'rejected' && (staleEvent.reason as Error).message).toMatch(
          /^fenced: this control plane led under epoch 1, and epoch 2 leads now/,
        )
        expect(api.status).toBe('fulfilled')
        expect(current.status).toBe('fulfilled')
        expect((await b.get(key))!.status).toEqual({phase: 'Running', readyReplicas: 1})
        expect((await b.events(key)).map((e) => e.reason)).not.toContain('Stale')
        // Who is there, and who leads.
        const member = (id: string) => ({id, host: 'h', url: `http://${id}`, pid: 1, version: '0', startedAt: id})
        await a.heartbeat(member('a'), 60_000)
        await b.heartbeat(member('b'), 60_000)
        expect((await a.members()).map((m) => m.id)).toEqual(['a', 'b'])
        expect(await a.lease()).toMatchObject({holder: 'b', epoch: 2})
        // A graceful stop hands the lease over at once.
        await b.releaseLease('b', 2)
        await b.leaveMembers('b')
        expect(await a.acquireLease('a', 60_000)).toBe(3)
        expect((await a.members()).map((m) => m.id)).toEqual(['a'])
      })
    })

    it('fails alone a write the database refuses, the others of its batch committed', async () => {
      await withStore(async (store) => {
        const put = (name: string) =>
          store.putSpec(
            {key: {workspace: 'public', type: 'worker', name}, version: 'v1beta', owner: 'me', manifest: {name}},
            {initialStatus: {phase: 'Pending'}, event: () => ({type: 'Normal', reason: 'Applied', message: name})},
          )
        // PostgreSQL's text takes no NUL byte (SQLite's does): refused by the database, not by a check of ours.
        const results = await Promise.allSettled([put('a'), put('b\u0000c'), put('d')])
        expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled'])
        for (const name of ['a', 'd']) {
          expect(await store.get({workspace: 'public', type: 'worker', name})).toBeDefined()
          expect((await store.events({workspace: 'public', type: 'worker', name})).map((e) => e.message)).toEqual([
            name,
          ])
        }
        expect(await store.check()).toBe('ok')
      })
    })

    it('sends a batch on rows it knows in one round trip, each write decided on the one before it', async () => {
      await withStore(async (store) => {
        const keys = Array.from({length: 5}, (_, i) => ({workspace: 'public', type: 'worker', name: `hot-${i}`}))
        for (const key of keys) await putReplicas(store, key, 0)
        const before = {...store.stats}
        // Rounds in turns of the event loop that follow each other: a round's batch is sent
        // while the one before it (on the same keys) commits, and decides on what that one wrote.
        const rounds: ReturnType<typeof putReplicas>[][] = []
        for (let round = 1; round <= 6; round++) {
          rounds.push(keys.map((key) => putReplicas(store, key, round)))
          await new Promise((resolve) => setImmediate(resolve))
        }
        const results = await Promise.all(rounds.map((r) => Promise.all(r)))
        expect(store.stats.oneTrip - before.oneTrip).toBeGreaterThan(0)
        expect(store.stats.unexpected - before.unexpected, 'no batch found its rows changed').toBe(0)
        keys.forEach((_key, k) => {
          const mine = results.map((round) => round[k]!.record)
          expect(mine.map((r) => r.generation)).toEqual([2, 3, 4, 5, 6, 7])
          const versions = mine.map((r) => r.resourceVersion)
          expect(versions.every((v) => Number.isSafeInteger(v) && v > 0)).toBe(true)
          expect(versions).toEqual([...versions].sort((x, y) => x - y))
          expect(new Set(versions).size).toBe(6)
        })
        for (const [k, key] of keys.entries())
          expect(await store.get(key)).toMatchObject({
            generation: 7,
            manifest: {replicas: 6},
            resourceVersion: results[5]![k]!.record.resourceVersion,
          })
        expect(await store.check()).toBe('ok')
      })
    })

    it('names no provisional version when a conditional write conflicts with one not yet committed', async () => {
      await withStore(async (store) => {
        const key = {workspace: 'public', type: 'worker', name: 'provisional'}
        const {record} = await putReplicas(store, key, 1)
        // One batch: the spec write takes a version known only at COMMIT; the status write
        // conditional on the version before it conflicts.
        const [spec, status] = await Promise.allSettled([
          putReplicas(store, key, 2),
          store.putStatus(key, {phase: 'Running'}, {ifResourceVersion: record.resourceVersion}),
        ])
        expect(spec.status).toBe('fulfilled')
        expect(status.status === 'rejected' && (status.reason as Error).message).toBe(
          `worker public/provisional has changed since resourceVersion ${record.resourceVersion}`,
        )
      })
    })

    it('decides again, on the rows read, a batch sent in one round trip whose rows another control plane changed', async () => {
      await withTwoStores(async (a, b) => {
        // Whether a's cache still holds the row b changed depends on when the change feed reaches
        // a: a few tries, each with its outcome checked, at least one of them on the stale cache.
        let stale = 0
        for (let attempt = 0; attempt < 5 && stale === 0; attempt++) {
          const key = {workspace: 'public', type: 'worker', name: `raced-${attempt}`}
          await putReplicas(a, key, 1)
          await putReplicas(a, key, 2) // cached by a, at the version a wrote
          const before = a.stats.unexpected
          const {record: byB} = await putReplicas(b, key, 3)
          const {record: byA} = await putReplicas(a, key, 4)
          stale += a.stats.unexpected - before
          expect(byA.generation).toBe(byB.generation + 1)
          expect(byA.resourceVersion).toBeGreaterThan(byB.resourceVersion)
          expect(byA.uid).toBe(byB.uid)
          expect(await a.get(key)).toMatchObject({generation: 4, manifest: {replicas: 4}})
        }
        expect(stale, 'a batch sent on a stale cache was decided again').toBeGreaterThan(0)
        expect(await a.check()).toBe('ok')
      })
    })

    it('refuses a fenced write sent in one round trip once a newer epoch leads', async () => {
      await withTwoStores(async (a, b) => {
        const key = {workspace: 'public', type: 'worker', name: 'fenced-one-trip'}
        await putReplicas(a, key, 1)
        expect(await a.acquireLease('a', 60_000)).toBe(1)
        await a.putStatus(key, {phase: 'Running'}, {epoch: 1})
        expect(await a.renewLease('a', 1, 1)).toBe(true)
        await waitFor('the lease to expire', async () => ((await b.lease()).remainingMs! <= 0 ? true : undefined))
        expect(await b.acquireLease('b', 60_000)).toBe(2)
        const before = {...a.stats}
        await expect(a.putStatus(key, {phase: 'Failed'}, {epoch: 1})).rejects.toBeInstanceOf(FencedError)
        expect(a.stats.oneTrip - before.oneTrip).toBe(1)
        expect(a.stats.unexpected - before.unexpected).toBe(1)
        expect((await b.get(key))!.status).toEqual({phase: 'Running'})
        // The leader's write of the same key, in one round trip too, commits.
        const current = await b.putStatus(key, {phase: 'Running', readyReplicas: 1}, {epoch: 2})
        expect(current.status).toEqual({phase: 'Running', readyReplicas: 1})
        expect(await a.check()).toBe('ok')
      })
    })

    it('says in one line, without the password, when the URL is bad or the server does not answer', async () => {
      await expect(PostgresStore.open({url: 'mysql://x'})).rejects.toThrow(/not a postgres:\/\/ URL/)
      const error = await PostgresStore.open({
        url: 'postgres://drover:s3cret@127.0.0.1:1/drover',
      }).catch((e: unknown) => e as Error)
      expect(error).toBeInstanceOf(Error)
      expect((error as Error).message).toMatch(
        /^store postgres:\/\/drover:\*\*\*@127\.0\.0\.1:1\/drover: .*ECONNREFUSED/,
      )
      expect((error as Error).message).not.toContain('s3cret')
    })
  })

  describe('a control plane on PostgreSQL', () => {
    it('keeps what it was given across a restart, and leaves no SQLite file', async () => {
      const home = tempDir('pg-server')
      const env = {...FAST, DROVER_STORE_URL: pg!.url}
      let server = await startServerProcess({home, env})
      try {
        const worker = nodeWorker('kept', 'setInterval(() => {}, 1000)', {dryRun: true})
        expect((await apply(server, worker)).status).toBe(200)
        await server.stop()
        server = await startServerProcess({home, env})
        const got = await call(server, 'GET', '/api/v1/resources/worker/kept?workspace=public')
        expect(got.status).toBe(200)
        expect((got.json() as {manifest: {name: string}}).manifest.name).toBe('kept')
        expect(existsSync(join(server.dataDir, 'drover.db'))).toBe(false)
      } finally {
        await server.stop()
      }
    })

    it('is what `server start --store` starts on, the URL kept off the server’s command line', async () => {
      const home = tempDir('pg-cli')
      const env = {HOME: home, XDG_DATA_HOME: join(home, 'data'), XDG_CONFIG_HOME: join(home, 'config')}
      const start = await runCli(['server', 'start', '--detach', '--store', pg!.url, '--output', 'json'], {env})
      expect(start.code, start.stderr).toBe(0)
      const {pid} = JSON.parse(start.stdout) as {pid: number}
      try {
        expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8')).not.toContain('postgres://')
        // What the previous control plane stored in this database.
        const got = await runCli(['get', '-t', 'worker', '-n', 'kept', '-a', '--output', 'json'], {env})
        expect(got.code, got.stderr).toBe(0)
        expect(JSON.parse(got.stdout).items.map((i: {metadata: {id: string}}) => i.metadata.id)).toEqual([
          'worker:v1beta:kept:public',
        ])
      } finally {
        expect((await runCli(['server', 'stop'], {env})).code).toBe(0)
      }
    })

    it('does not start on a PostgreSQL that does not answer: one line, exit 1, no password', () => {
      const home = tempDir('pg-bad')
      const r = spawnSync(NODE, [join(ROOT, 'dist/server/main.js'), '--port', '0'], {
        env: cliEnv({
          DROVER_DATA_DIR: join(home, 'data'),
          DROVER_CONFIG_DIR: join(home, 'config'),
          DROVER_STORE_URL: 'postgres://drover:s3cret@127.0.0.1:1/drover',
        }),
        encoding: 'utf8',
        timeout: 30_000,
      })
      expect(r.status).toBe(1)
      expect(r.stderr.trim().split('\n')).toEqual([
        expect.stringMatching(
          /^drover server: cannot start: store postgres:\/\/drover:\*\*\*@127\.0\.0\.1:1\/drover: .*ECONNREFUSED/,
        ),
      ])
      expect(r.stderr).not.toContain('s3cret')
    })
  })
})
