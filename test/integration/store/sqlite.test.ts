import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {SqliteStore} from '../../../src/store/sqlite/sqlite-store.js'
import {MIGRATIONS} from '../../../src/store/sqlite/migrations.js'
import {describeStoreConformance} from './conformance.js'

const dir = mkdtempSync(join(tmpdir(), 'drover-store-'))
let n = 0
afterAll(() => rmSync(dir, {recursive: true, force: true}))

// A real database file per test (WAL and fsync included), not :memory:.
describeStoreConformance(
  'sqlite',
  async ({eventsPerResource}) => new SqliteStore({path: join(dir, `store-${n++}.db`), eventsPerResource}),
)

describe('SqliteStore', () => {
  it('keeps what it committed across a reopen, and migrates once', async () => {
    const path = join(dir, 'reopen.db')
    const first = new SqliteStore({path})
    await first.putSpec(
      {key: {workspace: 'public', type: 'worker', name: 'a'}, version: 'v1beta', owner: 'me', manifest: {name: 'a'}},
      {initialStatus: {phase: 'Pending'}},
    )
    await first.close()
    const second = new SqliteStore({path})
    expect((await second.get({workspace: 'public', type: 'worker', name: 'a'}))?.manifest).toEqual({name: 'a'})
    expect(second.db.prepare('SELECT count(*) AS n FROM schema_migrations').get()).toEqual({n: MIGRATIONS.length})
    expect(second.db.prepare('PRAGMA journal_mode').get()).toEqual({journal_mode: 'wal'})
    expect(second.db.prepare('PRAGMA synchronous').get()).toEqual({synchronous: 2}) // FULL
    await second.close()
  })

  it('commits the writes of one event-loop turn in one transaction', async () => {
    const store = new SqliteStore({path: join(dir, 'batch.db')})
    const before = store.stats.commits
    await Promise.all(
      Array.from({length: 50}, (_, i) =>
        store.putSpec(
          {key: {workspace: 'w', type: 'worker', name: `n${i}`}, version: 'v1beta', owner: 'me', manifest: {i}},
          {initialStatus: {phase: 'Pending'}},
        ),
      ),
    )
    expect(store.stats.commits - before).toBe(1)
    await store.close()
  })
})
