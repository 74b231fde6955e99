// The embedded store: node:sqlite in WAL mode with synchronous=FULL, so that an acknowledged
// write survives kill -9 and power loss. fsync per transaction is what makes that expensive
// (~0.3 ms+ each), so writes are queued and every write that arrives in the same turn of the
// event loop is committed in one transaction ("group commit"), each in its own savepoint so
// that one failing write (a 409) does not undo the others. A write is acknowledged only after
// its transaction has committed. node:sqlite is synchronous: reads never see a half-done batch.
import {StoreUnavailableError, storageFailure} from '../store.js'
import {randomUUID} from 'node:crypto'
import {chmodSync} from 'node:fs'
import {DatabaseSync, type StatementSync} from 'node:sqlite'
import type {ResourceEvent, ResourceStatus} from '../../resources/stored.js'
import {
  type ApiKeyRecord,
  type ListFilter,
  type NewEvent,
  type PutSpecOptions,
  type PutSpecResult,
  type ResourceKey,
  type ResourceStore,
  type RevisionRecord,
  type SpecWrite,
  StoreNotFoundError,
  type StoredRecord,
  type User,
  applyOutcome,
  similarMessages,
  similarSubject,
  specChanged,
  staleVersion,
} from '../store.js'
import {apiKeyFromRow, eventFromRow, recordFromRow, revisionFromRow, userFromRow} from '../rows.js'
import {MIGRATIONS} from './migrations.js'

export interface SqliteStoreOptions {
  /** Database file, or ':memory:' (tests of code that does not care about durability). */
  path: string
  /** Events kept per resource; older ones are dropped. */
  eventsPerResource?: number
  /** FULL (default) survives power loss; NORMAL only process crashes. */
  synchronous?: 'FULL' | 'NORMAL'
}

type Row = Record<string, unknown>

interface Pending {
  op: () => unknown
  resolve: (value: unknown) => void
  reject: (error: unknown) => void
}

const cacheKey = (key: ResourceKey) => `${key.workspace}\u0000${key.type}\u0000${key.name}`

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const v of Object.values(value)) deepFreeze(v)
  }
  return value
}

export class SqliteStore implements ResourceStore {
  readonly db: DatabaseSync
  private readonly eventsPerResource: number
  private readonly statements = new Map<string, StatementSync>()
  private queue: Pending[] = []
  /**
   * Records read since their last write, frozen. A GET was a third store read and JSON.parse;
   * this process is the only writer of its database (the server claims the data folder), so
   * invalidating the keys a batch touched, once it has committed or failed, keeps it exact.
   */
  private readonly records = new Map<string, StoredRecord>()
  private touched = new Set<string>()
  private flushScheduled = false
  private closed = false
  /** Number of transactions and of writes in them, for /metrics. */
  readonly stats = {commits: 0, writes: 0}

  constructor(options: SqliteStoreOptions) {
    this.db = new DatabaseSync(options.path)
    this.eventsPerResource = options.eventsPerResource ?? 100
    this.db.exec(
      `PRAGMA journal_mode = WAL; PRAGMA synchronous = ${options.synchronous ?? 'FULL'}; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;`,
    )
    this.migrate()
    // SQLite creates its files with the process's umask (0644 here): they hold users, key
    // hashes and sealed secrets, so only the control plane's user reads them.
    for (const file of [options.path, `${options.path}-wal`, `${options.path}-shm`]) {
      try {
        chmodSync(file, 0o600)
      } catch {
        // not there (yet): SQLite makes -wal and -shm with the database's mode from now on
      }
    }
  }

  private migrate(): void {
    this.db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)')
    const applied = new Set(
      (this.db.prepare('SELECT version FROM schema_migrations').all() as Row[]).map((r) => Number(r.version)),
    )
    for (const migration of MIGRATIONS) {
      if (applied.has(migration.version)) continue
      this.db.exec('BEGIN IMMEDIATE')
      try {
        this.db.exec(migration.sql)
        this.db
          .prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)')
          .run(migration.version, new Date().toISOString())
        this.db.exec('COMMIT')
      } catch (error) {
        this.db.exec('ROLLBACK')
        throw error
      }
    }
  }

  private sql(text: string): StatementSync {
    let statement = this.statements.get(text)
    if (!statement) {
      statement = this.db.prepare(text)
      this.statements.set(text, statement)
    }
    return statement
  }

  // ---- the write queue -------------------------------------------------------------------

  private write<T>(op: () => T): Promise<T> {
    if (this.closed) return Promise.reject(new Error('store is closed'))
    return new Promise<T>((resolve, reject) => {
      this.queue.push({op, resolve: resolve as (v: unknown) => void, reject})
      if (!this.flushScheduled) {
        this.flushScheduled = true
        setImmediate(() => this.flush())
      }
    })
  }

  private flush(): void {
    this.flushScheduled = false
    const batch = this.queue
    this.queue = []
    if (batch.length === 0) return
    const outcomes: {ok: boolean; value: unknown}[] = []
    try {
      this.db.exec('BEGIN IMMEDIATE')
      for (const item of batch) {
        this.db.exec('SAVEPOINT write')
        try {
          outcomes.push({ok: true, value: item.op()})
          this.db.exec('RELEASE write')
        } catch (error) {
          this.db.exec('ROLLBACK TO write')
          this.db.exec('RELEASE write')
          outcomes.push({ok: false, value: error})
        }
      }
      this.db.exec('COMMIT')
    } catch (error) {
      // The transaction itself failed (disk full, I/O error): nothing of the batch is stored.
      try {
        if (this.db.isTransaction) this.db.exec('ROLLBACK')
      } catch {
        // SQLite rolls back by itself when it cannot write; nothing more to do
      }
      this.dropTouched()
      const failure = storageFailure(error)
      if (failure) this.unwritable = failure
      for (const item of batch) item.reject(failure ? new StoreUnavailableError(failure) : error)
      return
    }
    this.stats.commits++
    this.stats.writes += batch.length
    this.dropTouched()
    // A write that failed because the disk did is the store's failure, not the caller's.
    const failed = outcomes.map((o) => (o.ok ? undefined : storageFailure(o.value))).find((f) => f !== undefined)
    this.unwritable = failed
    batch.forEach((item, i) => {
      const outcome = outcomes[i]!
      if (outcome.ok) item.resolve(outcome.value)
      else
        item.reject(
          storageFailure(outcome.value) ? new StoreUnavailableError(storageFailure(outcome.value)!) : outcome.value,
        )
    })
  }

  /** Why the store cannot write now (its last write failed for the disk), or undefined. */
  unwritable: string | undefined

  /** Writes and removes a row: succeeds only when the disk takes writes again. */
  async probeWrite(): Promise<void> {
    await this.write(() => {
      this.db.exec(
        `INSERT OR REPLACE INTO schema_migrations (version, applied_at) VALUES (-1, '${new Date().toISOString()}'); DELETE FROM schema_migrations WHERE version = -1`,
      )
    })
  }

  // ---- resources ---------------------------------------------------------------------------

  private dropTouched(): void {
    for (const k of this.touched) this.records.delete(k)
    this.touched = new Set()
  }

  private touch(key: ResourceKey): void {
    this.touched.add(cacheKey(key))
  }

  /** Uncached: what writes read inside their transaction. */
  private getSync(key: ResourceKey): StoredRecord | undefined {
    const row = this.sql('SELECT * FROM resources WHERE workspace = ? AND type = ? AND name = ?').get(
      key.workspace,
      key.type,
      key.name,
    ) as Row | undefined
    return row ? recordFromRow(row) : undefined
  }

  private nextResourceVersion(): number {
    const row = this.sql(
      "UPDATE counters SET value = value + 1 WHERE name = 'resource_version' RETURNING value",
    ).get() as Row
    return Number(row.value)
  }

  private checkVersion(current: StoredRecord | undefined, expected: number | undefined, key: ResourceKey): void {
    const conflict = staleVersion(current, expected, key)
    if (conflict) throw conflict
  }

  private insertEvent(key: ResourceKey, event: NewEvent): void {
    // A similar event already kept (same type and reason, same message but for its numbers)
    // is counted and moved to the end with the latest message, as Kubernetes counts repeats.
    // Only messages that can be similar are read: the same one, or (for a message about a
    // subject) those about the same subject. Reading every event of the reason made each apply
    // read and compare a hundred (bench: applies/s halved).
    const subject = similarSubject(event.message)
    const similar = (
      this.sql(
        `SELECT id, message, count, time, first_time FROM events WHERE workspace = ? AND type = ? AND name = ? AND kind = ?
           AND reason = ? AND (message = ? OR substr(message, 1, ?) = ?) ORDER BY id DESC`,
      ).all(
        key.workspace,
        key.type,
        key.name,
        event.type,
        event.reason,
        event.message,
        subject === undefined ? 0 : subject.length,
        subject ?? '\u0000',
      ) as Row[]
    ).find((r) => similarMessages(String(r.message), event.message))
    if (similar) this.sql('DELETE FROM events WHERE id = ?').run(Number(similar.id))
    this.sql(
      'INSERT INTO events (workspace, type, name, time, kind, reason, message, count, first_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ).run(
      key.workspace,
      key.type,
      key.name,
      new Date().toISOString(),
      event.type,
      event.reason,
      event.message,
      similar ? Number(similar.count) + 1 : 1,
      similar ? String(similar.first_time ?? similar.time) : null,
    )
    this.sql(
      `DELETE FROM events WHERE workspace = ? AND type = ? AND name = ? AND id <= (
         SELECT id FROM events WHERE workspace = ? AND type = ? AND name = ? ORDER BY id DESC LIMIT 1 OFFSET ?)`,
    ).run(key.workspace, key.type, key.name, key.workspace, key.type, key.name, this.eventsPerResource)
  }

  get(key: ResourceKey): Promise<StoredRecord | undefined> {
    const k = cacheKey(key)
    let record = this.records.get(k)
    if (!record) {
      record = this.getSync(key)
      if (!record) return Promise.resolve(undefined)
      if (this.records.size >= 10_000) this.records.clear()
      this.records.set(k, deepFreeze(record))
    }
    return Promise.resolve(record)
  }

  list(filter: ListFilter): Promise<StoredRecord[]> {
    const where: string[] = []
    const params: (string | number)[] = []
    for (const column of ['type', 'workspace', 'name', 'owner'] as const) {
      const value = filter[column]
      if (value === undefined) continue
      where.push(`${column} = ?`)
      params.push(value)
    }
    if (filter.after) {
      where.push('(workspace, type, name) > (?, ?, ?)')
      params.push(filter.after.workspace, filter.after.type, filter.after.name)
    }
    // Keys and versions first: records already parsed (same resourceVersion) come from the record
    // cache, and only the others' manifests are read (a stack's is kilobytes, listed at every apply).
    const text = `SELECT workspace, type, name, resource_version FROM resources ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY workspace, type, name LIMIT ?`
    const rows = this.sql(text).all(...params, filter.limit) as Row[]
    return Promise.resolve(
      rows.map((row) => {
        const k = `${String(row.workspace)}\u0000${String(row.type)}\u0000${String(row.name)}`
        const cached = this.records.get(k)
        if (cached && cached.resourceVersion === Number(row.resource_version)) return cached
        const record = deepFreeze(
          this.getSync({workspace: String(row.workspace), type: String(row.type), name: String(row.name)})!,
        )
        if (!this.touched.has(k) && this.records.size < 10_000) this.records.set(k, record)
        return record
      }),
    )
  }

  count(filter: {type?: string} = {}): Promise<number> {
    const row = (
      filter.type === undefined
        ? this.sql('SELECT count(*) AS n FROM resources').get()
        : this.sql('SELECT count(*) AS n FROM resources WHERE type = ?').get(filter.type)
    ) as Row
    return Promise.resolve(Number(row.n))
  }

  putSpec(write: SpecWrite, options: PutSpecOptions): Promise<PutSpecResult> {
    return this.write(() => {
      const {key} = write
      this.touch(key)
      const current = this.getSync(key)
      this.checkVersion(current, options.ifResourceVersion, key)
      const changed = specChanged(current, write)
      const outcome = applyOutcome(current, write, changed)
      if (current && outcome === 'unchanged') return {result: 'unchanged', record: current}
      const rv = this.nextResourceVersion()
      const now = new Date().toISOString()
      const manifest = JSON.stringify(write.manifest)
      if (!current) {
        this.sql(
          `INSERT INTO resources (workspace, type, name, version, owner, uid, manifest, sealed, sealed_digest, status, generation,
             resource_version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?)`,
        ).run(
          key.workspace,
          key.type,
          key.name,
          write.version,
          write.owner,
          randomUUID(),
          manifest,
          write.sealed?.ciphertext ?? null,
          write.sealed?.digest ?? null,
          JSON.stringify(options.initialStatus),
          rv,
          now,
          now,
        )
      } else {
        this.sql(
          `UPDATE resources SET version = ?, owner = ?, manifest = ?, sealed = ?, sealed_digest = ?, generation = generation + ?,
             resource_version = ?, updated_at = ? WHERE workspace = ? AND type = ? AND name = ?`,
        ).run(
          write.version,
          write.owner,
          manifest,
          write.sealed?.ciphertext ?? null,
          write.sealed?.digest ?? null,
          changed ? 1 : 0,
          rv,
          changed ? now : current.updatedAt,
          key.workspace,
          key.type,
          key.name,
        )
      }
      const result = current ? 'updated' : 'created'
      if (options.event && changed) this.insertEvent(key, options.event(result))
      const record = this.getSync(key)!
      if (options.revision && changed) this.keepRevision(record, options.revision)
      return {result, record, ...(current ? {previous: current} : {})}
    })
  }

  private keepRevision(record: StoredRecord, revision: NonNullable<PutSpecOptions['revision']>): void {
    const {key} = record
    const where = 'workspace = ? AND type = ? AND name = ?'
    const at = [key.workspace, key.type, key.name] as const
    const newest = Number(
      (this.sql(`SELECT coalesce(max(revision), 0) AS n FROM revisions WHERE ${where}`).get(...at) as Row).n,
    )
    const same = this.sql(`SELECT revision FROM revisions WHERE ${where} AND template = ?`).get(
      ...at,
      revision.template,
    ) as Row | undefined
    const spec = [
      record.generation,
      record.version,
      JSON.stringify(record.manifest),
      record.sealed?.ciphertext ?? null,
      record.sealed?.digest ?? null,
    ] as const
    if (same && Number(same.revision) === newest) {
      // The same template again (a replica count changed): the newest revision's spec follows.
      this.sql(
        `UPDATE revisions SET generation = ?, version = ?, manifest = ?, sealed = ?, sealed_digest = ? WHERE ${where} AND revision = ?`,
      ).run(...spec, ...at, newest)
      return
    }
    if (same) this.sql(`DELETE FROM revisions WHERE ${where} AND revision = ?`).run(...at, Number(same.revision))
    this.sql(
      `INSERT INTO revisions (workspace, type, name, revision, template, generation, version, manifest, sealed, sealed_digest,
         cause, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(...at, newest + 1, revision.template, ...spec, revision.cause, new Date().toISOString())
    this.sql(
      `DELETE FROM revisions WHERE ${where} AND revision <= (
         SELECT revision FROM revisions WHERE ${where} ORDER BY revision DESC LIMIT 1 OFFSET ?)`,
    ).run(...at, ...at, Math.max(1, revision.keep))
  }

  revisions(key: ResourceKey): Promise<RevisionRecord[]> {
    const rows = this.sql(
      'SELECT * FROM revisions WHERE workspace = ? AND type = ? AND name = ? ORDER BY revision',
    ).all(key.workspace, key.type, key.name) as Row[]
    return Promise.resolve(rows.map(revisionFromRow))
  }

  putStatus(
    key: ResourceKey,
    status: ResourceStatus,
    options: {ifResourceVersion?: number} = {},
  ): Promise<StoredRecord> {
    return this.write(() => {
      this.touch(key)
      const current = this.getSync(key)
      if (!current) throw new StoreNotFoundError(`${key.type} ${key.name} does not exist`)
      this.checkVersion(current, options.ifResourceVersion, key)
      const rv = this.nextResourceVersion()
      this.sql(
        'UPDATE resources SET status = ?, resource_version = ? WHERE workspace = ? AND type = ? AND name = ?',
      ).run(JSON.stringify(status), rv, key.workspace, key.type, key.name)
      return {...current, status, resourceVersion: rv}
    })
  }

  delete(key: ResourceKey, options: {ifResourceVersion?: number} = {}): Promise<StoredRecord | undefined> {
    return this.write(() => {
      this.touch(key)
      const current = this.getSync(key)
      if (!current) return undefined
      this.checkVersion(current, options.ifResourceVersion, key)
      this.sql('DELETE FROM resources WHERE workspace = ? AND type = ? AND name = ?').run(
        key.workspace,
        key.type,
        key.name,
      )
      for (const table of ['events', 'revisions'])
        this.sql(`DELETE FROM ${table} WHERE workspace = ? AND type = ? AND name = ?`).run(
          key.workspace,
          key.type,
          key.name,
        )
      this.nextResourceVersion()
      return current
    })
  }

  addEvent(key: ResourceKey, event: NewEvent): Promise<void> {
    return this.write(() => {
      if (this.getSync(key)) this.insertEvent(key, event)
    })
  }

  events(key: ResourceKey, limit = this.eventsPerResource): Promise<ResourceEvent[]> {
    const rows = this.sql(
      'SELECT time, kind, reason, message, count, first_time FROM events WHERE workspace = ? AND type = ? AND name = ? ORDER BY id DESC LIMIT ?',
    ).all(key.workspace, key.type, key.name, limit) as Row[]
    return Promise.resolve(rows.reverse().map(eventFromRow))
  }

  // ---- users and keys ----------------------------------------------------------------------

  getUser(name: string): Promise<User | undefined> {
    const row = this.sql('SELECT * FROM users WHERE name = ?').get(name) as Row | undefined
    return Promise.resolve(row ? userFromRow(row) : undefined)
  }

  listUsers(): Promise<(User & {keys: number})[]> {
    const rows = this.sql(
      'SELECT u.name, u.admin, u.grants, (SELECT count(*) FROM api_keys k WHERE k.user = u.name) AS keys FROM users u ORDER BY u.name',
    ).all() as Row[]
    return Promise.resolve(rows.map((row) => ({...userFromRow(row), keys: Number(row.keys)})))
  }

  deleteUser(name: string): Promise<boolean> {
    return this.write(() => {
      this.sql('DELETE FROM api_keys WHERE user = ?').run(name)
      return Number(this.sql('DELETE FROM users WHERE name = ?').run(name).changes) > 0
    })
  }

  deleteApiKeys(user: string, keep?: string): Promise<number> {
    return this.write(() =>
      Number(this.sql('DELETE FROM api_keys WHERE user = ? AND id != ?').run(user, keep ?? '').changes),
    )
  }

  putUser(user: User): Promise<void> {
    return this.write(() => {
      this.sql(
        'INSERT INTO users (name, admin, grants) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET admin = excluded.admin, grants = excluded.grants',
      ).run(user.name, user.admin ? 1 : 0, JSON.stringify(user.grants))
    })
  }

  addApiKey(key: ApiKeyRecord): Promise<void> {
    return this.write(() => {
      this.sql('INSERT INTO api_keys (id, user, name, hash, created_at) VALUES (?, ?, ?, ?, ?)').run(
        key.id,
        key.user,
        key.name,
        key.hash,
        key.createdAt,
      )
    })
  }

  findApiKey(id: string): Promise<ApiKeyRecord | undefined> {
    const row = this.sql('SELECT * FROM api_keys WHERE id = ?').get(id) as Row | undefined
    return Promise.resolve(row ? apiKeyFromRow(row) : undefined)
  }

  listApiKeys(): Promise<ApiKeyRecord[]> {
    return Promise.resolve((this.sql('SELECT * FROM api_keys ORDER BY id').all() as Row[]).map(apiKeyFromRow))
  }

  countUsers(): Promise<number> {
    return Promise.resolve(Number((this.sql('SELECT count(*) AS n FROM users').get() as Row).n))
  }

  check(): Promise<string> {
    const rows = this.db.prepare('PRAGMA integrity_check').all() as Row[]
    return Promise.resolve(rows.map((r) => String(Object.values(r)[0])).join('; '))
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.flush() // whatever is queued is committed before the database closes
    this.closed = true
    this.db.close()
  }
}
