// The PostgreSQL store (issue 11): the same port as the SQLite store, for control planes that
// share one database. Durability and ordering as SQLite's: a write is acknowledged once its
// transaction has committed; the writes that arrive in one turn of the event loop are committed
// together ("group commit"), each tried on a snapshot of its key so that one failing write (a
// 409) does not undo the others; resourceVersions come from a counter row updated inside the
// batch's transaction, so commits are ordered by version. Writers of a key are serialized by an
// advisory lock per key; the writes are decided in memory (batch.ts) and what changed goes as a
// statement per table, pipelined on a connection reserved for the batch, with COMMIT. A batch
// whose rows this store knows (its cache, or what a batch under way left) is one round trip,
// checked in the database and run again in two when a row was not as known; otherwise it first
// reads its rows (decision 0014). Events are never read by a write. Records read are cached
// (decision 0006) and invalidated by this store's own commits and by the change feed, which
// every commit writes (a `changes` row per key, in the same transaction): another control
// plane's write reaches the cache when pg_notify wakes the reader, or at its next poll.
// Driver: `postgres` (porsager), decision 0014.
import {createHash, randomUUID} from 'node:crypto'
import postgres from 'postgres'
import type {Json, ResourceEvent, ResourceStatus} from '../../resources/stored.js'
import {
  type ApiKeyRecord,
  type ControlPlaneRecord,
  type Fence,
  FencedError,
  type LeaseState,
  type LeaseStore,
  type ResourceCopy,
  type RestorableStore,
  type WriteOptions,
  type ListFilter,
  type NewEvent,
  type PutSpecOptions,
  type PutSpecResult,
  type ResourceKey,
  type ResourceStore,
  type RevisionRecord,
  type SpecWrite,
  StoreNotFoundError,
  StoreUnavailableError,
  type StoredRecord,
  type User,
  applyOutcome,
  similarityKey,
  specChanged,
  staleVersion,
} from '../store.js'
import {
  Batch,
  type BatchChanges,
  type EventWrite,
  type RevisionRow,
  keyId,
  offsetOf,
  provisional,
  settled,
} from './batch.js'
import {apiKeyFromRow, eventFromRow, recordFromRow, revisionFromRow, userFromRow} from '../rows.js'
import {PG_MIGRATIONS} from './migrations.js'
import {canonicalJson} from '../../lib/canonical-json.js'
import {cloneJson} from '../../lib/clone.js'
import {redactUrl} from '../../lib/redact-url.js'

export interface PostgresStoreOptions {
  /** postgres://user:password@host:port/database (or ?host=/socket/folder). */
  url: string
  /** Events kept per resource; older ones are dropped. */
  eventsPerResource?: number
  /** A schema of its own (tests; one database for several stores); default: the user's search_path. */
  schema?: string
  /** Connections in the pool. */
  max?: number
}

type Sql = postgres.Sql
/** A transaction's connection: one of sql.begin, or one reserved for a batch. */
type Tx = postgres.TransactionSql | postgres.ReservedSql
type Row = Record<string, unknown>

/** A write of the queue: one of a resource, decided in memory, or one of another table, run as it is. */
type Pending = {resolve: (value: unknown) => void; reject: (error: unknown) => void} & (
  | {
      on: {key: ResourceKey; revisions?: boolean; epoch?: number | undefined}
      decide: (batch: Batch, now: string) => unknown
    }
  | {on?: undefined; run: (tx: Tx) => Promise<unknown>}
)

type Outcome = {ok: boolean; value: unknown}

/**
 * A batch of this store, from when it starts until it has ended: its change-feed rows carry its
 * tag, and `done` settles once its records hold their versions (or it failed).
 */
interface Ticket {
  tag: string
  done: Promise<void>
  end: () => void
}

/**
 * A key as this store knows it without reading it: what a batch under way (not ended) left it
 * as, or the cache; and how the database shows it is still so — its resourceVersion, or the
 * tag of the batch whose change-feed row is at its resourceVersion, or no row.
 */
interface Known {
  record: StoredRecord | undefined
  /** Its revisions, when known. */
  revisions: RevisionRow[] | undefined
  expect: {rv: number} | {tag: string} | {absent: true}
  /** The batch under way that wrote it (its records settle when it ends). */
  after?: Ticket
}

/** Per key, the revisions a batch left with the resourceVersion of its record. */
type Revisions = Map<string, {rv: number; revisions: RevisionRow[]}>

/** The SQLSTATE drover_expect raises: a batch's rows are not as it decided them (migration 5). */
const UNEXPECTED = 'DRV01'
/**
 * The keys a batch wrote (with what it stored, none when it deleted it) or found changed by
 * another control plane, and the resourceVersion that is as of.
 */
type Written = Map<string, {key: ResourceKey; record: StoredRecord | undefined; rv: number}>

/** Batches under way at once (each on a connection of its own). */
const MAX_BATCHES = 3

/** The advisory lock fenced writes share and a new leader takes alone to raise the epoch. */
const LEASE_LOCK = 0x6c656173 // "leas"

/** A key's advisory lock: 64 bits of its hash (two keys may share one: they then wait for each other). */
const keyLocks = new Map<string, bigint>()
function keyLock(key: ResourceKey): bigint {
  const id = keyId(key)
  let lock = keyLocks.get(id)
  if (lock === undefined) {
    lock = createHash('sha1').update(id).digest().readBigInt64BE(0)
    if (keyLocks.size >= CACHE_MAX) keyLocks.clear()
    keyLocks.set(id, lock)
  }
  return lock
}

/** The change feed's notification channel, and how many changes it keeps. */
const FEED = 'drover_changes'
const FEED_KEPT = 100_000
/** How often the feed is read without a notification (one lost while reconnecting, say). */
const FEED_POLL_MS = 1000
/**
 * A key's events past eventsPerResource are dropped every this many events a control plane adds
 * to it (a statement that reads the key's hundred, every time, cost as much as the write):
 * reads never give more than eventsPerResource, the table holds at most this many more per
 * key and control plane, and a repeat of one of those is still counted with it.
 */
const TRIM_EVERY = 16

/** The advisory lock migrations run under: several control planes may start at once. */
const MIGRATION_LOCK = 0x64726f76 // "drov"

/** Why the database cannot take writes, when `error` says so (PostgreSQL's SQLSTATE, or no connection). */
function databaseFailure(error: unknown): string | undefined {
  const e = error as {code?: string; errno?: string; message?: string}
  if (e?.code === '53100') return 'the database server’s disk is full'
  if (e?.code === '25006') return 'the database is read-only'
  if (e?.code === '57P01' || e?.code === '57P03') return 'the database server is shutting down or starting'
  if (
    ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECT_TIMEOUT'].includes(
      e?.code ?? '',
    )
  )
    return `the database does not answer (${e.code})`
  return undefined
}

const num = (v: unknown) => Number(v)
const CACHE_MAX = 10_000

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const v of Object.values(value)) deepFreeze(v)
  }
  return value
}

/**
 * Writes records as they are (created, or replacing the stored ones), each key once, at the
 * versions the batch took (its `taken` after `counter`, the counter's value once updated): one
 * statement for a whole batch, its rows one JSON parameter (a statement per record cost a round
 * of Parse, Bind and a socket write each).
 */
const upsertRecords = (
  tx: Tx,
  records: StoredRecord[],
  taken: number,
  counter = tx`(SELECT value FROM counters WHERE name = 'resource_version')`,
) =>
  tx`INSERT INTO resources (workspace, type, name, version, owner, uid, manifest, sealed, sealed_digest, status,
      generation, resource_version, created_at, updated_at)
    SELECT workspace, type, name, version, owner, uid, manifest::text, sealed, sealed_digest, status::text, generation,
      ${counter} - ${taken} + n, created_at, updated_at
    FROM json_to_recordset(${JSON.stringify(
      records.map((r) => ({
        workspace: r.key.workspace,
        type: r.key.type,
        name: r.key.name,
        version: r.version,
        owner: r.owner,
        uid: r.uid,
        // json, not text: kept as JSON.stringify writes it (json keeps its input text), and not
        // encoded twice
        manifest: r.manifest,
        sealed: r.sealed?.ciphertext ?? null,
        sealed_digest: r.sealed?.digest ?? null,
        status: r.status,
        generation: r.generation,
        n: offsetOf(r.resourceVersion),
        created_at: r.createdAt,
        updated_at: r.updatedAt,
      })),
    )}::text::json) AS x(workspace text, type text, name text, version text, owner text, uid text, manifest json,
      sealed text, sealed_digest text, status json, generation bigint, n bigint, created_at text, updated_at text)
    ON CONFLICT (workspace, type, name) DO UPDATE SET version = excluded.version, owner = excluded.owner,
      uid = excluded.uid, manifest = excluded.manifest, sealed = excluded.sealed, sealed_digest = excluded.sealed_digest,
      status = excluded.status, generation = excluded.generation, resource_version = excluded.resource_version,
      created_at = excluded.created_at, updated_at = excluded.updated_at`

/**
 * A batch's resourceVersions, in one statement: the counter taken (its lock held from here to
 * COMMIT), the records written at their versions, a change-feed row per key (with the batch's
 * tag) and the feed's wake-up (readers read the table: a notification is not kept while nobody
 * listens). Gives the counter's new value.
 */
const commitVersions = (tx: Tx, c: BatchChanges, tag: string, origin: string) =>
  tx`WITH counter AS (UPDATE counters SET value = value + ${c.taken} WHERE name = 'resource_version' RETURNING value),
      written AS (${upsertRecords(tx, c.records, c.taken, tx`(SELECT value FROM counter)`)}),
      feed AS (INSERT INTO changes (rv, workspace, type, name, origin)
        SELECT (SELECT value FROM counter) - ${c.taken} + x.n, x.workspace, x.type, x.name, ${tag}
        FROM json_to_recordset(${JSON.stringify(c.feed.map((f) => ({...f, n: offsetOf(f.rv)})))}::text::json)
          AS x(n bigint, workspace text, type text, name text))
    SELECT value, pg_notify(${FEED}, ${origin}) FROM counter`

/** Takes the keys' advisory locks, each once, in one order for every batch (no deadlock). */
const lockKeys = (tx: Tx, keys: {key: ResourceKey}[]) =>
  tx`SELECT pg_advisory_xact_lock(l) FROM unnest(${tx.array(
    [...new Set(keys.map((k) => keyLock(k.key)))].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)).map(String),
  )}::bigint[]) AS l`

/** The keys as a table of (workspace, type, name), for `IN (SELECT * FROM …)` and joins. */
const keyTable = (tx: Tx, keys: ResourceKey[]) =>
  tx`unnest(${tx.array(keys.map((k) => k.workspace))}::text[], ${tx.array(keys.map((k) => k.type))}::text[],
    ${tx.array(keys.map((k) => k.name))}::text[]) AS k(workspace, type, name)`

/**
 * Adds events, at most one per key; a similar one already kept (same type and reason, and a
 * similar message: similarMessages, by its similarityKey) is counted and moved to the end with
 * the latest message, as the SQLite store does and Kubernetes counts repeats.
 */
const insertEvents = (tx: Tx, events: {key: ResourceKey; row: EventWrite}[]) =>
  tx`INSERT INTO events (workspace, type, name, time, kind, reason, message, similarity)
    SELECT workspace, type, name, time, kind, reason, message, similarity FROM json_to_recordset(${JSON.stringify(
      events.map(({key, row}, i) => ({i, ...key, ...row, similarity: similarityKey(row.message)})),
    )}::text::json) AS x(i integer, workspace text, type text, name text, time text, kind text, reason text, message text,
      similarity text) ORDER BY i
    ON CONFLICT (workspace, type, name, kind, reason, similarity) DO UPDATE SET id = nextval('events_id_seq'),
      time = excluded.time, message = excluded.message, count = events.count + 1,
      first_time = coalesce(events.first_time, events.time)`

/** Keeps specs in the rollout history: a new revision, or the newest one's spec replaced. */
const writeRevisions = (tx: Tx, written: BatchChanges['revisionsWritten']) =>
  tx`INSERT INTO revisions (workspace, type, name, revision, template, generation, version, manifest, sealed,
      sealed_digest, cause, created_at)
    SELECT workspace, type, name, revision, template, generation, version, manifest::text, sealed, sealed_digest, cause,
      created_at FROM json_to_recordset(${JSON.stringify(
        written.map(({key, row}) => ({
          workspace: key.workspace,
          type: key.type,
          name: key.name,
          revision: row.revision,
          template: row.template,
          generation: row.spec.generation,
          version: row.spec.version,
          manifest: row.spec.manifest,
          sealed: row.spec.sealed,
          sealed_digest: row.spec.sealedDigest,
          cause: row.cause,
          created_at: row.createdAt,
        })),
      )}::text::json) AS x(workspace text, type text, name text, revision integer, template text, generation bigint, version text,
      manifest json, sealed text, sealed_digest text, cause text, created_at text)
    ON CONFLICT (workspace, type, name, revision) DO UPDATE SET generation = excluded.generation,
      version = excluded.version, manifest = excluded.manifest, sealed = excluded.sealed,
      sealed_digest = excluded.sealed_digest`

/** Drops each key's events past the newest `keep` (by its index: a key's hundred, not the table). */
const trimEvents = (tx: Tx, keys: ResourceKey[], keep: number) =>
  tx`DELETE FROM events WHERE id = ANY(ARRAY(
      SELECT old.id FROM ${keyTable(tx, keys)} CROSS JOIN LATERAL (SELECT id FROM events
        WHERE workspace = k.workspace AND type = k.type AND name = k.name ORDER BY id DESC OFFSET ${keep}) old))`

export class PostgresStore implements ResourceStore, LeaseStore, RestorableStore {
  private readonly sql: Sql
  private readonly eventsPerResource: number
  private queue: Pending[] = []
  /** Batches under way; at most one reads and decides, the one before it may still be committing. */
  private readonly inflight = new Set<Promise<void>>()
  private deciding = false
  private flushScheduled = false
  private closed = false
  /** Who this store is in the change feed: it skips its own changes (its cache has them). */
  private readonly origin = randomUUID()
  /** The newest resourceVersion this store knows was taken. */
  private lastVersion = 0
  /** Events this store added to a key since it last dropped the key's oldest. */
  private readonly untrimmed = new Map<string, number>()
  /**
   * Number of transactions and of writes in them, for /metrics; of batches sent in one round
   * trip, and of those that found their rows changed and ran again in two.
   */
  readonly stats = {commits: 0, writes: 0, oneTrip: 0, unexpected: 0}
  /** Keys as batches under way left them, until each ends (decision 0014). */
  private readonly pending = new Map<string, Known & {after: Ticket}>()
  /** Keys of batches reading in two round trips, not yet decided: what they leave is not known yet. */
  private readonly undecided = new Map<string, number>()
  /** The revisions of cached records (as of the cached resourceVersion). */
  private readonly revisionCache = new Map<string, RevisionRow[]>()
  private batches = 0
  /** Why the store cannot write now (its last write failed for the database), or undefined. */
  unwritable: string | undefined

  /** Records read since their last change, frozen; at most CACHE_MAX. */
  private readonly cache = new Map<string, StoredRecord>()
  /** Invalidations per key, and of everything: a read that raced one does not fill the cache. */
  private readonly invalidations = new Map<string, number>()
  /** Lists read since their type last changed (stacks and computes are listed at every reconcile). */
  private readonly lists = new Map<string, {type: string | undefined; records: StoredRecord[]}>()
  private cleared = 0
  /** The newest change of the feed this store has applied. */
  private seen = 0
  private feedTimer?: NodeJS.Timeout
  private listening?: {unlisten(): Promise<void>}
  private reading: Promise<void> | undefined
  private readAgain = false
  /** Told of the writes of other control planes, read from the change feed. */
  private readonly watchers: ((key: ResourceKey) => void)[] = []

  private constructor(sql: Sql, eventsPerResource: number) {
    this.sql = sql
    this.eventsPerResource = eventsPerResource
  }

  private invalidate(id: string, type: string): void {
    this.cache.delete(id)
    this.revisionCache.delete(id)
    this.invalidations.set(id, (this.invalidations.get(id) ?? 0) + 1)
    // Lists of that type, and lists of every type.
    this.invalidations.set(`list:${type}`, (this.invalidations.get(`list:${type}`) ?? 0) + 1)
    this.invalidations.set('list:', (this.invalidations.get('list:') ?? 0) + 1)
    for (const [filter, entry] of this.lists)
      if (entry.type === undefined || entry.type === type) this.lists.delete(filter)
  }

  private clearCache(): void {
    this.cache.clear()
    this.revisionCache.clear()
    this.lists.clear()
    this.invalidations.clear()
    this.cleared++
  }

  /** Fills a cache entry only when nothing invalidated it since `before` (a read that raced a write). */
  private stamp(counter: string): [number, number | undefined] {
    return [this.cleared, this.invalidations.get(counter)]
  }

  private unchanged(counter: string, before: [number, number | undefined]): boolean {
    return !this.closed && this.cleared === before[0] && this.invalidations.get(counter) === before[1]
  }

  /** Follows the change feed: a notification wakes it, a poll catches what a reconnect lost. */
  private async follow(): Promise<void> {
    const [row] = await this.sql`SELECT value FROM counters WHERE name = 'resource_version'`
    this.seen = num(row!.value)
    this.lastVersion = this.seen
    this.listening = await this.sql.listen(
      FEED,
      (origin) => this.readFeed(origin),
      () => this.readFeed(), // (re)subscribed: catch up
    )
    this.feedTimer = setInterval(() => this.readFeed(), FEED_POLL_MS)
    this.feedTimer.unref()
  }

  /**
   * Reads the changes after the newest seen, but for this store's own (its cache takes them
   * when their batch ends); for a notification of its own (`from`, its origin): nothing.
   */
  private readFeed(from?: string): void {
    if (this.closed || from === this.origin) return
    if (this.reading !== undefined) {
      this.readAgain = true
      return
    }
    this.reading = (async () => {
      const [changes, start] = await Promise.all([
        this.sql`SELECT rv, workspace, type, name, origin FROM changes WHERE rv > ${this.seen} ORDER BY rv`,
        this.sql`SELECT value FROM counters WHERE name = 'feed_start'`,
      ])
      // Fallen behind what the feed keeps: nothing cached can be trusted.
      if (this.seen < num(start[0]?.value ?? 0)) this.clearCache()
      for (const c of changes) {
        const id = keyId({workspace: String(c.workspace), type: String(c.type), name: String(c.name)})
        // This store's own commits are in the cache already, or will be when their batch ends.
        if (!this.own(c.origin) && (this.cache.get(id)?.resourceVersion ?? 0) < num(c.rv)) {
          this.invalidate(id, String(c.type))
          const key = {workspace: String(c.workspace), type: String(c.type), name: String(c.name)}
          for (const watcher of this.watchers) watcher(key)
        }
      }
      if (changes.length > 0) this.seen = Math.max(this.seen, num(changes.at(-1)!.rv))
    })()
      .catch(() => {
        // the database went away: the poll tries again; meanwhile nothing new is cached
        this.clearCache()
      })
      .finally(() => {
        this.reading = undefined
        if (this.readAgain) {
          this.readAgain = false
          this.readFeed()
        }
      })
  }

  /** Whether a change-feed row's origin is a batch of this store's (its tag). */
  private own(origin: unknown): boolean {
    return typeof origin === 'string' && origin.startsWith(`${this.origin}/`)
  }

  /** Connects, and migrates under an advisory lock; a bad URL or a server that does not answer throws one line. */
  static async open(options: PostgresStoreOptions): Promise<PostgresStore> {
    let sql: Sql
    try {
      // libpq's ?host=/folder (a Unix socket) is an option here, not a server parameter.
      const url = new URL(options.url)
      if (!/^postgres(ql)?:$/.test(url.protocol)) throw new Error('not a postgres:// URL')
      const socket = url.searchParams.get('host') ?? undefined
      url.searchParams.delete('host')
      sql = postgres(url.toString(), {
        ...(socket ? {host: socket} : {}),
        max: options.max ?? 10,
        onnotice: () => {},
        connect_timeout: 10,
        connection: {application_name: 'drover', ...(options.schema ? {search_path: options.schema} : {})},
      })
    } catch (error) {
      throw new Error(`store ${redactUrl(options.url)}: ${(error as Error).message}`)
    }
    const store = new PostgresStore(sql, options.eventsPerResource ?? 100)
    try {
      await store.migrate(options.schema)
      await store.follow()
    } catch (error) {
      await sql.end({timeout: 1}).catch(() => undefined)
      const e = error as {code?: string; message?: string}
      throw new Error(`store ${redactUrl(options.url)}: ${e.message ?? String(error)}${e.code ? ` (${e.code})` : ''}`)
    }
    return store
  }

  private async migrate(schema: string | undefined): Promise<void> {
    await this.sql.begin(async (tx) => {
      await tx`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`
      if (schema) await tx.unsafe(`CREATE SCHEMA IF NOT EXISTS "${schema.replace(/"/g, '""')}"`)
      await tx`CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, applied_at text NOT NULL)`
      const applied = new Set((await tx`SELECT version FROM schema_migrations`).map((r) => num(r.version)))
      for (const migration of PG_MIGRATIONS) {
        if (applied.has(migration.version)) continue
        await tx.unsafe(migration.sql)
        await tx`INSERT INTO schema_migrations (version, applied_at) VALUES (${migration.version}, ${new Date().toISOString()})`
      }
    })
  }

  // ---- the write queue -------------------------------------------------------------------

  /** A write of users or keys, run in the batch's transaction as it is. */
  private write<T>(run: (tx: Tx) => Promise<T>): Promise<T> {
    return this.enqueue<T>({run})
  }

  /** A write of a resource, decided in memory against the batch's reading of its key. */
  private writeResource<T>(
    on: {key: ResourceKey; revisions?: boolean; epoch?: number | undefined},
    decide: (batch: Batch, now: string) => T,
  ): Promise<T> {
    return this.enqueue<T>({on, decide})
  }

  private enqueue<T>(
    item:
      | {
          on: {key: ResourceKey; revisions?: boolean; epoch?: number | undefined}
          decide: (batch: Batch, now: string) => unknown
        }
      | {run: (tx: Tx) => Promise<unknown>},
  ): Promise<T> {
    if (this.closed) return Promise.reject(new Error('store is closed'))
    return new Promise<T>((resolve, reject) => {
      this.queue.push({...item, resolve: resolve as (v: unknown) => void, reject} as Pending)
      this.schedule()
    })
  }

  private schedule(): void {
    if (this.flushScheduled) return
    this.flushScheduled = true
    setImmediate(() => {
      this.flushScheduled = false
      this.next()
    })
  }

  /**
   * Starts the next batch with what has queued, unless one is deciding or MAX_BATCHES are under
   * way: a batch starts once the one before it has sent its writes and COMMIT (in two round
   * trips) or has run all but its COMMIT (in one), so that it is on its way while that one
   * commits.
   */
  private next(): void {
    if (this.deciding || this.queue.length === 0 || this.inflight.size >= MAX_BATCHES) return
    const items = this.queue
    this.queue = []
    this.deciding = true
    let released = false
    const release = () => {
      if (released) return
      released = true
      this.deciding = false
      this.next()
    }
    const run: Promise<void> = this.flush(items, release).finally(() => {
      this.inflight.delete(run)
      release()
      this.next()
    })
    this.inflight.add(run)
  }

  private async flush(items: Pending[], committing: () => void = () => {}, oneTrip = true): Promise<void> {
    if (items.length === 0) return
    const {promise: done, resolve: end} = Promise.withResolvers<void>()
    const ticket: Ticket = {tag: `${this.origin}/${++this.batches}`, done, end: () => end()}
    let outcomes: Outcome[]
    let written: Written
    let taken: {from: number; to: number} | undefined
    let revisions: Revisions
    try {
      ;({outcomes, written, taken, revisions} = await this.pipelined((tx) =>
        this.commit(tx, items, committing, ticket, oneTrip),
      ))
    } catch (error) {
      this.forget(ticket)
      // Sent in one round trip, its rows were not as it expected (another control plane wrote
      // one, or the batch it followed failed): read and decided again, in two; the next batch
      // starts once that has sent its writes.
      if ((error as {code?: string})?.code === UNEXPECTED) {
        this.stats.unexpected++
        return this.flush(items, committing, false)
      }
      const failure = databaseFailure(error)
      // The database refused one of them (none of the batch is stored): each alone, so that it fails alone.
      if (!failure && items.length > 1) {
        for (const item of items) await this.flush([item])
        return
      }
      if (failure) this.unwritable = failure
      for (const item of items) item.reject(failure ? new StoreUnavailableError(failure) : error)
      return
    }
    this.stats.commits++
    this.stats.writes += items.length
    this.unwritable = undefined
    // The batch held the counter from `from` to `to`: every change between is its own, so the
    // change feed need not be read for them (nor for their notification).
    if (taken && this.seen === taken.from) this.seen = taken.to
    // What this store committed is what a read would now give: cached as such (a copy, frozen).
    // A key the batch found changed by another control plane is dropped from the cache. A batch
    // may finish after the next one has (they overlap): what that one cached is newer, and stays.
    for (const [id, {key, record, rv}] of written) {
      if ((this.cache.get(id)?.resourceVersion ?? 0) > rv) continue
      this.invalidate(id, key.type)
      if (record && this.cache.size < CACHE_MAX) this.cache.set(id, deepFreeze(cloneJson(record)))
    }
    // The revisions of the records cached as this batch left them.
    for (const [id, known] of revisions)
      if (this.cache.get(id)?.resourceVersion === known.rv) this.revisionCache.set(id, known.revisions)
    this.forget(ticket)
    items.forEach((item, i) => {
      const outcome = outcomes[i]!
      if (outcome.ok) item.resolve(outcome.value)
      else item.reject(outcome.value)
    })
  }

  /**
   * One transaction on a connection reserved for it, its statements pipelined: `body` sends
   * BEGIN with its first round trip and COMMIT with its last (sql.begin waits for each alone,
   * two round trips more per batch). A statement that fails aborts the transaction: those after
   * it fail too and its COMMIT rolls back, and the ROLLBACK here ends it.
   */
  private async pipelined<T>(body: (tx: Tx) => Promise<T>): Promise<T> {
    const tx = await this.sql.reserve()
    try {
      return await body(tx)
    } catch (error) {
      await tx`ROLLBACK`.catch(() => undefined)
      throw error
    } finally {
      tx.release()
    }
  }

  /**
   * One transaction: the other tables' writes as they come, then the resources'. Each key's
   * lock is taken first (an advisory lock per key, in one order for every batch: no deadlock);
   * the counter is taken last (its lock held only from there to COMMIT, a few hundred
   * microseconds in the database). Commits follow resourceVersions.
   *
   * When this store knows every key's row (cached, or as a batch under way left it), the writes
   * are decided against that and the batch is one round trip (sendExpected): a batch on a busy
   * key is then sent while the one before it on that key commits, and runs as soon as that one
   * has. Otherwise the first round trip takes the locks and reads (readRows), and the second
   * writes; batches on other keys read and decide meanwhile.
   */
  private async commit(
    tx: Tx,
    items: Pending[],
    committing: () => void,
    ticket: Ticket,
    oneTrip: boolean,
  ): Promise<{outcomes: Outcome[]; written: Written; taken?: {from: number; to: number}; revisions: Revisions}> {
    const outcomes: Outcome[] = []
    const written: Written = new Map()
    const begin = tx`BEGIN`
    if (items.some((item) => !item.on)) {
      await begin
      for (const [i, item] of items.entries()) if (!item.on) outcomes[i] = {ok: true, value: await item.run(tx)}
    }
    let resources = items.flatMap((item, i) => (item.on ? [{item, i}] : []))
    if (resources.length === 0) {
      await Promise.all([begin, tx`COMMIT`])
      return {outcomes, written, revisions: new Map()}
    }
    const keys = new Map<string, {key: ResourceKey; revisions: boolean}>()
    for (const {item} of resources) {
      const on = item.on!
      const k = keys.get(keyId(on.key))
      keys.set(keyId(on.key), {key: on.key, revisions: (k?.revisions ?? false) || on.revisions === true})
    }
    const all = [...keys.values()]
    const epochs = new Set(resources.flatMap(({item}) => (item.on!.epoch === undefined ? [] : [item.on!.epoch])))
    const batch = new Batch()
    // The statements sent with COMMIT (in one round trip: every one).
    const writes: PromiseLike<unknown>[] = []
    const known =
      oneTrip && resources.length === items.length && epochs.size <= 1
        ? all.map((k) => this.known(keyId(k.key), k.revisions))
        : []
    const one = known.length > 0 && known.every((k) => k !== undefined)
    // Batches under way whose records this one starts from.
    let after = new Set<Ticket>()
    let decided = () => {}
    if (one) after = this.sendExpected(tx, begin, all, known as Known[], epochs, batch, writes)
    else {
      decided = this.undecide(all)
      try {
        resources = await this.readRows(tx, begin, all, epochs.size > 0, resources, outcomes, written, batch)
      } catch (error) {
        decided()
        throw error
      }
    }
    const now = new Date().toISOString()
    for (const {item, i} of resources) {
      try {
        outcomes[i] = {
          ok: true,
          value: batch.attempt(item.on!.key, () =>
            (item as {decide: (b: Batch, n: string) => unknown}).decide(batch, now),
          ),
        }
      } catch (error) {
        outcomes[i] = {ok: false, value: error}
      }
    }
    const c = batch.changes()
    const counter = this.writeChanges(tx, c, ticket, writes)
    const leaves = this.leave(batch, all, c, ticket, one ? (known as Known[]) : undefined)
    decided()
    // The next batch starts once this one has run all but its COMMIT (in one round trip) or
    // has sent its writes (in two): it then waits in the database only for COMMIT, and meanwhile
    // gathers the writes that come. (A query is sent when it is first awaited: in order.)
    const done = Promise.all(writes)
    if (one) Promise.all(writes.slice(0, -1)).then(committing, () => {})
    else committing()
    await done
    // Records taken from batches that were under way hold their versions once those end.
    if (after.size > 0) await Promise.all([...after].map((t) => t.done))
    // Committed: the versions are known, and every record the batch made takes its own.
    const to = counter ? num((await counter)[0]!.value) : undefined
    const from = to === undefined ? undefined : to - c.taken
    if (to !== undefined && from !== undefined) {
      this.lastVersion = Math.max(this.lastVersion, to)
      for (const record of batch.made) record.resourceVersion = settled(record.resourceVersion, from)
    }
    for (const f of c.feed) {
      const key = {workspace: f.workspace, type: f.type, name: f.name}
      written.set(keyId(key), {key, record: undefined, rv: settled(f.rv, from ?? 0)})
    }
    for (const r of c.records) written.set(keyId(r.key), {key: r.key, record: r, rv: r.resourceVersion})
    const revisions: Revisions = new Map()
    for (const [id, {record, revisions: rows}] of leaves)
      if (record && rows) revisions.set(id, {rv: record.resourceVersion, revisions: rows})
    return {outcomes, written, ...(to !== undefined && from !== undefined ? {taken: {from, to}} : {}), revisions}
  }

  /**
   * A batch in one round trip: BEGIN, the keys' locks, and a check that each row is as this
   * store knows it and, for fenced writes, that their epoch still leads (read under the lock a
   * new leader takes alone); drover_expect aborts the transaction when not, and the batch runs
   * again in two (flush). The keys are loaded as known. Gives the batches it starts from.
   */
  private sendExpected(
    tx: Tx,
    begin: PromiseLike<unknown>,
    all: {key: ResourceKey; revisions: boolean}[],
    known: Known[],
    epochs: Set<number>,
    batch: Batch,
    writes: PromiseLike<unknown>[],
  ): Set<Ticket> {
    this.stats.oneTrip++
    const expect = known.map((k) => k.expect)
    writes.push(begin, lockKeys(tx, all))
    const [epoch] = epochs
    if (epoch !== undefined) writes.push(tx`SELECT pg_advisory_xact_lock_shared(${LEASE_LOCK})`)
    const leads = epoch !== undefined ? tx`(SELECT epoch FROM leases WHERE name = 'scheduler') = ${epoch}` : tx`true`
    writes.push(tx`SELECT drover_expect(count(*) = 0 AND ${leads})
      FROM unnest(${tx.array(all.map((k) => k.key.workspace))}::text[], ${tx.array(all.map((k) => k.key.type))}::text[],
        ${tx.array(all.map((k) => k.key.name))}::text[], ${tx.array(expect.map((e) => ('rv' in e ? e.rv : 0)))}::bigint[],
        ${tx.array(expect.map((e) => ('tag' in e ? e.tag : '')))}::text[]) AS e(workspace, type, name, rv, tag)
      LEFT JOIN resources r ON r.workspace = e.workspace AND r.type = e.type AND r.name = e.name
      LEFT JOIN changes c ON c.rv = r.resource_version
      WHERE NOT coalesce(CASE WHEN e.rv > 0 THEN r.resource_version = e.rv WHEN e.tag <> '' THEN c.origin = e.tag
        ELSE r.workspace IS NULL END, false)`)
    const after = new Set<Ticket>()
    all.forEach(({key, revisions}, i) => {
      const k = known[i]!
      if (k.after) after.add(k.after)
      batch.load(key, k.record, revisions ? [...k.revisions!] : undefined)
    })
    return after
  }

  /**
   * The first of two round trips: the keys' locks; the lease's epoch when a write is fenced
   * (under a shared lock that a new leader takes alone to raise the epoch: acquireLease); each
   * key's version, and in full the rows the cache does not hold at theirs; revisions where a
   * write needs them. The keys are loaded as read; a cached record found stale is replaced or
   * dropped (in `written`). Gives the writes that may go on (a fenced one of an old epoch fails).
   */
  private async readRows<W extends {item: Pending; i: number}>(
    tx: Tx,
    begin: PromiseLike<unknown>,
    all: {key: ResourceKey; revisions: boolean}[],
    fenced: boolean,
    resources: W[],
    outcomes: Outcome[],
    written: Written,
    batch: Batch,
  ): Promise<W[]> {
    // The cache as it is now; rows at another resourceVersion are read in full.
    const expected = all.map((k) => this.cache.get(keyId(k.key)))
    const withRevisions = all.filter((k) => k.revisions)
    const [, , , lease, versions, fresh, revisions] = await Promise.all([
      begin,
      lockKeys(tx, all),
      fenced ? tx`SELECT pg_advisory_xact_lock_shared(${LEASE_LOCK})` : [],
      fenced ? tx`SELECT epoch FROM leases WHERE name = 'scheduler'` : [],
      tx`SELECT workspace, type, name, resource_version FROM resources
        WHERE (workspace, type, name) IN (SELECT * FROM ${keyTable(
          tx,
          all.map((k) => k.key),
        )})`,
      tx`SELECT r.* FROM resources r JOIN unnest(${tx.array(all.map((k) => k.key.workspace))}::text[],
          ${tx.array(all.map((k) => k.key.type))}::text[], ${tx.array(all.map((k) => k.key.name))}::text[],
          ${tx.array(expected.map((r) => r?.resourceVersion ?? 0))}::bigint[]) AS k(workspace, type, name, rv)
        ON r.workspace = k.workspace AND r.type = k.type AND r.name = k.name WHERE r.resource_version <> k.rv`,
      withRevisions.length > 0
        ? tx`SELECT workspace, type, name, revision, template, cause, created_at FROM revisions
            WHERE (workspace, type, name) IN (SELECT * FROM ${keyTable(
              tx,
              withRevisions.map((k) => k.key),
            )}) ORDER BY revision`
        : [],
    ])
    // Fencing: the scheduler's writes carry their leader's epoch.
    let allowed = resources
    if (fenced) {
      const current = num(lease[0]?.epoch ?? 0)
      allowed = resources.filter(({item, i}) => {
        const epoch = item.on!.epoch
        if (epoch === undefined || epoch === current) return true
        outcomes[i] = {ok: false, value: new FencedError(epoch, current)}
        return false
      })
    }
    // A key's record: the row read, or the cached one when the row is at its resourceVersion;
    // none when there is no row.
    const records = new Map<string, StoredRecord>()
    for (const r of fresh) {
      const record = recordFromRow(r)
      records.set(keyId(record.key), record)
    }
    const present = new Set(versions.map((r) => keyId({workspace: r.workspace, type: r.type, name: r.name})))
    all.forEach(({key}, i) => {
      const id = keyId(key)
      const cached = expected[i]
      const read = records.get(id)
      if (read) {
        if (cached) written.set(id, {key, record: read, rv: read.resourceVersion})
      } else if (!present.has(id)) {
        if (cached) written.set(id, {key, record: undefined, rv: cached.resourceVersion})
      } else if (cached) records.set(id, cached)
    })
    const revisionRows = new Map<string, RevisionRow[]>()
    for (const r of revisions) {
      const id = keyId({workspace: String(r.workspace), type: String(r.type), name: String(r.name)})
      const list = revisionRows.get(id) ?? []
      list.push({
        revision: num(r.revision),
        template: String(r.template),
        cause: String(r.cause),
        createdAt: String(r.created_at),
      })
      revisionRows.set(id, list)
    }
    for (const k of all)
      batch.load(k.key, records.get(keyId(k.key)), k.revisions ? (revisionRows.get(keyId(k.key)) ?? []) : undefined)
    return allowed
  }

  /**
   * What changed, a statement per table, in an order that keeps every step valid; the
   * resources and the counter last (its lock orders the commits), and COMMIT. Gives the
   * statement that takes the counter (none when nothing took a version).
   */
  private writeChanges(tx: Tx, c: BatchChanges, ticket: Ticket, writes: PromiseLike<unknown>[]) {
    for (const {workspace, type, name} of c.cleared)
      for (const table of ['resources', 'events', 'revisions'])
        writes.push(tx`DELETE FROM ${tx(table)} WHERE workspace = ${workspace} AND type = ${type} AND name = ${name}`)
    for (const {key: k, revision} of c.revisionsDropped)
      writes.push(
        tx`DELETE FROM revisions WHERE workspace = ${k.workspace} AND type = ${k.type} AND name = ${k.name} AND revision = ${revision}`,
      )
    if (c.revisionsWritten.length > 0) writes.push(writeRevisions(tx, c.revisionsWritten))
    if (c.eventsAdded.length > 0) this.writeEvents(tx, c.eventsAdded, writes)
    const counter = c.taken > 0 ? commitVersions(tx, c, ticket.tag, this.origin) : undefined
    if (counter) writes.push(counter)
    // The feed keeps the last FEED_KEPT changes (pruned about every thousand versions).
    if (c.taken > 0 && Math.floor((this.lastVersion + c.taken) / 1000) > Math.floor(this.lastVersion / 1000)) {
      writes.push(tx`DELETE FROM changes
        WHERE rv < (SELECT value FROM counters WHERE name = 'resource_version') - ${FEED_KEPT}`)
      writes.push(tx`UPDATE counters SET value = greatest(value,
        (SELECT value FROM counters WHERE name = 'resource_version') - ${FEED_KEPT}) WHERE name = 'feed_start'`)
    }
    writes.push(tx`COMMIT`)
    return counter
  }

  /**
   * What the batch leaves, for the batches that start before it ends (`pending`, until it
   * ends): each key it wrote, as it wrote it. Gives, for the cache, each key's record and
   * revisions when known; revisions it did not load are still those it started from, when this
   * store knew them (`known`: it was sent in one round trip).
   */
  private leave(
    batch: Batch,
    all: {key: ResourceKey; revisions: boolean}[],
    c: BatchChanges,
    ticket: Ticket,
    known: Known[] | undefined,
  ): Map<string, {record: StoredRecord | undefined; revisions: RevisionRow[] | undefined}> {
    const wrote = new Set(c.feed.map((f) => keyId(f)))
    const leaves = new Map<string, {record: StoredRecord | undefined; revisions: RevisionRow[] | undefined}>()
    for (const [i, {key, revisions}] of all.entries()) {
      const id = keyId(key)
      const record = batch.current(key)
      const kept = revisions ? batch.revisionsOf(key) : !record ? [] : known?.[i]?.revisions
      if (wrote.has(id)) {
        this.pending.set(id, {
          record,
          revisions: kept,
          expect: record ? {tag: ticket.tag} : {absent: true},
          after: ticket,
        })
        leaves.set(id, {record, revisions: kept})
      } else if (revisions && record) leaves.set(id, {record, revisions: kept})
    }
    return leaves
  }

  /**
   * Marks keys as read by a batch that has not decided yet: until it has, no batch is sent on
   * what this store knows of them (the row may be about to change). Gives the unmarking.
   */
  private undecide(all: {key: ResourceKey}[]): () => void {
    for (const {key} of all) this.undecided.set(keyId(key), (this.undecided.get(keyId(key)) ?? 0) + 1)
    let done = false
    return () => {
      if (done) return
      done = true
      for (const {key} of all) {
        const n = (this.undecided.get(keyId(key)) ?? 1) - 1
        if (n > 0) this.undecided.set(keyId(key), n)
        else this.undecided.delete(keyId(key))
      }
    }
  }

  /** What this store knows of a key without reading it (and its revisions, when `revisions`). */
  private known(id: string, revisions: boolean): Known | undefined {
    if (this.undecided.has(id)) return undefined
    const k = this.pending.get(id) ?? this.cachedKnown(id)
    return k && (!revisions || k.revisions) ? k : undefined
  }

  private cachedKnown(id: string): Known | undefined {
    const record = this.cache.get(id)
    return record ? {record, revisions: this.revisionCache.get(id), expect: {rv: record.resourceVersion}} : undefined
  }

  /** A batch has ended: the keys it left are read from the cache again. */
  private forget(ticket: Ticket): void {
    for (const [id, k] of this.pending) if (k.after === ticket) this.pending.delete(id)
    ticket.end()
  }

  /**
   * Adds the events: a statement per round (the first event each key got, then the second, …;
   * most batches: one); a key's oldest past the limit are dropped every TRIM_EVERY events added
   * to it here.
   */
  private writeEvents(tx: Tx, events: BatchChanges['eventsAdded'], writes: PromiseLike<unknown>[]): void {
    const rounds: {key: ResourceKey; row: EventWrite}[][] = []
    const added = new Map<string, {key: ResourceKey; count: number}>()
    for (const event of events) {
      const id = keyId(event.key)
      const round = added.get(id)?.count ?? 0
      added.set(id, {key: event.key, count: round + 1})
      if (round === rounds.length) rounds.push([])
      rounds[round]!.push(event)
    }
    for (const round of rounds) writes.push(insertEvents(tx, round))
    const trimmed: ResourceKey[] = []
    for (const [id, {key, count}] of added) {
      const untrimmed = (this.untrimmed.get(id) ?? 0) + count
      if (untrimmed < TRIM_EVERY) this.untrimmed.set(id, untrimmed)
      else {
        this.untrimmed.delete(id)
        trimmed.push(key)
      }
    }
    if (this.untrimmed.size > CACHE_MAX) this.untrimmed.clear()
    if (trimmed.length > 0) writes.push(trimEvents(tx, trimmed, this.eventsPerResource))
  }

  /** A write that changes nothing: succeeds only when the database takes writes again. */
  async probeWrite(): Promise<void> {
    // Alone, not in a batch: it takes no lock a batch waits for while holding another.
    try {
      await this.sql`UPDATE counters SET value = value WHERE name = 'feed_start'`
    } catch (error) {
      const failure = databaseFailure(error)
      if (failure) this.unwritable = failure
      throw failure ? new StoreUnavailableError(failure) : error
    }
    this.unwritable = undefined
  }

  // ---- resources ---------------------------------------------------------------------------

  private async current(tx: Tx | Sql, key: ResourceKey): Promise<StoredRecord | undefined> {
    const rows =
      await tx`SELECT * FROM resources WHERE workspace = ${key.workspace} AND type = ${key.type} AND name = ${key.name}`
    return rows[0] ? recordFromRow(rows[0]) : undefined
  }

  async get(key: ResourceKey): Promise<StoredRecord | undefined> {
    const id = keyId(key)
    const hit = this.cache.get(id)
    if (hit) return hit
    const before = this.stamp(id)
    const record = await this.current(this.sql, key)
    if (record && this.unchanged(id, before)) {
      if (this.cache.size >= CACHE_MAX) this.clearCache()
      this.cache.set(id, deepFreeze(record))
    }
    return record
  }

  async list(filter: ListFilter): Promise<StoredRecord[]> {
    const cacheKey = JSON.stringify(filter)
    const cached = this.lists.get(cacheKey)
    if (cached) return [...cached.records]
    const counter = `list:${filter.type ?? ''}`
    const before = this.stamp(counter)
    const records = await this.listRows(filter)
    if (this.unchanged(counter, before)) {
      if (this.lists.size >= 1000) this.lists.clear()
      this.lists.set(cacheKey, {type: filter.type, records: records.map((r) => deepFreeze(r))})
    }
    return records
  }

  private async listRows(filter: ListFilter): Promise<StoredRecord[]> {
    const where: string[] = []
    const params: (string | number)[] = []
    for (const column of ['type', 'workspace', 'name', 'owner'] as const) {
      const value = filter[column]
      if (value === undefined) continue
      params.push(value)
      where.push(`${column} = $${params.length}`)
    }
    if (filter.after) {
      params.push(filter.after.workspace, filter.after.type, filter.after.name)
      where.push(`(workspace, type, name) > ($${params.length - 2}, $${params.length - 1}, $${params.length})`)
    }
    params.push(filter.limit)
    const rows = await this.sql.unsafe(
      `SELECT * FROM resources ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY workspace, type, name LIMIT $${params.length}`,
      params,
    )
    return rows.map((r) => recordFromRow(r as Row))
  }

  async count(filter: {type?: string} = {}): Promise<number> {
    const [row] =
      filter.type === undefined
        ? await this.sql`SELECT count(*) AS n FROM resources`
        : await this.sql`SELECT count(*) AS n FROM resources WHERE type = ${filter.type}`
    return num(row!.n)
  }

  putSpec(write: SpecWrite, options: PutSpecOptions): Promise<PutSpecResult> {
    const {key} = write
    const on = {key, revisions: options.revision !== undefined}
    return this.writeResource(on, (batch, now): PutSpecResult => {
      const current = batch.current(key)
      const conflict = staleVersion(current, options.ifResourceVersion, key)
      if (conflict) throw conflict
      const changed = specChanged(current, write)
      const outcome = applyOutcome(current, write, changed)
      if (current && outcome === 'unchanged') return {result: 'unchanged', record: current}
      const resourceVersion = batch.nextResourceVersion()
      // A copy, as a read would give: the caller's manifest stays the caller's.
      const manifest = JSON.parse(JSON.stringify(write.manifest)) as Json
      const sealed = write.sealed ? {sealed: {...write.sealed}} : {}
      const record: StoredRecord = current
        ? {
            key: current.key,
            version: write.version,
            owner: write.owner,
            uid: current.uid,
            manifest,
            ...sealed,
            status: current.status,
            generation: current.generation + (changed ? 1 : 0),
            resourceVersion,
            createdAt: current.createdAt,
            updatedAt: changed ? now : current.updatedAt,
          }
        : {
            key,
            version: write.version,
            owner: write.owner,
            uid: randomUUID(),
            manifest,
            ...sealed,
            status: options.initialStatus,
            generation: 1,
            resourceVersion,
            createdAt: now,
            updatedAt: now,
          }
      batch.put(record)
      const result = current ? 'updated' : 'created'
      if (options.event && changed) batch.addEvent(key, options.event(result), now)
      if (options.revision && changed) batch.keepRevision(record, options.revision, now)
      return {result, record, ...(current ? {previous: current} : {})}
    })
  }

  async revisions(key: ResourceKey): Promise<RevisionRecord[]> {
    const rows = await this
      .sql`SELECT * FROM revisions WHERE workspace = ${key.workspace} AND type = ${key.type} AND name = ${key.name} ORDER BY revision`
    return rows.map(revisionFromRow)
  }

  putStatus(key: ResourceKey, status: ResourceStatus, options: WriteOptions = {}): Promise<StoredRecord> {
    return this.writeResource({key, epoch: options.epoch}, (batch) => {
      const current = batch.current(key)
      if (!current) throw new StoreNotFoundError(`${key.type} ${key.name} does not exist`)
      const conflict = staleVersion(current, options.ifResourceVersion, key)
      if (conflict) throw conflict
      const record = {...current, status, resourceVersion: batch.nextResourceVersion()}
      batch.put(record)
      return record
    })
  }

  delete(key: ResourceKey, options: {ifResourceVersion?: number} = {}): Promise<StoredRecord | undefined> {
    return this.writeResource({key}, (batch) => {
      const current = batch.current(key)
      if (!current) return undefined
      const conflict = staleVersion(current, options.ifResourceVersion, key)
      if (conflict) throw conflict
      batch.remove(key, batch.nextResourceVersion())
      return current
    })
  }

  addEvent(key: ResourceKey, event: NewEvent, options: Fence = {}): Promise<void> {
    return this.writeResource({key, epoch: options.epoch}, (batch, now) => {
      if (batch.current(key)) batch.addEvent(key, event, now)
    })
  }

  async events(key: ResourceKey, limit = this.eventsPerResource): Promise<ResourceEvent[]> {
    const rows = await this.sql`SELECT time, kind, reason, message, count, first_time FROM events
      WHERE workspace = ${key.workspace} AND type = ${key.type} AND name = ${key.name} ORDER BY id DESC
      LIMIT ${Math.min(limit, this.eventsPerResource)}`
    return [...rows].reverse().map(eventFromRow)
  }

  /** Calls `listener` with each key another control plane writes (from the change feed). */
  onForeignChange(listener: (key: ResourceKey) => void): void {
    this.watchers.push(listener)
  }

  // ---- the scheduler's lease and the control planes (decision 0015) -------------------------
  // Every time here is the database's (now()), so that the control planes' clocks do not matter.

  async acquireLease(holder: string, ttlMs: number): Promise<number | undefined> {
    // Alone under the lock fenced writes share: none of the old epoch is under way, and none
    // starts until this commits.
    return this.sql.begin(async (tx) => {
      await tx`SELECT pg_advisory_xact_lock(${LEASE_LOCK})`
      const [row] = await tx`UPDATE leases SET holder = ${holder}, epoch = epoch + 1, acquired_at = now(),
          expires_at = now() + ${ttlMs} * interval '1 millisecond'
        WHERE name = 'scheduler' AND (holder IS NULL OR expires_at IS NULL OR expires_at <= now())
        RETURNING epoch`
      return row ? num(row.epoch) : undefined
    })
  }

  async renewLease(holder: string, epoch: number, ttlMs: number): Promise<boolean> {
    const rows = await this.sql`UPDATE leases SET expires_at = now() + ${ttlMs} * interval '1 millisecond'
      WHERE name = 'scheduler' AND holder = ${holder} AND epoch = ${epoch} AND expires_at > now()`
    return rows.count === 1
  }

  async releaseLease(holder: string, epoch: number): Promise<void> {
    await this.sql`UPDATE leases SET holder = NULL, expires_at = NULL
      WHERE name = 'scheduler' AND holder = ${holder} AND epoch = ${epoch}`
  }

  async lease(): Promise<LeaseState> {
    const [row] = await this.sql`SELECT holder, epoch, acquired_at,
        (extract(epoch from (expires_at - now())) * 1000)::bigint AS remaining FROM leases WHERE name = 'scheduler'`
    if (!row) return {epoch: 0}
    return {
      epoch: num(row.epoch),
      ...(row.holder ? {holder: String(row.holder)} : {}),
      ...(row.holder && row.acquired_at ? {since: new Date(row.acquired_at as Date).toISOString()} : {}),
      ...(row.holder && row.remaining !== null ? {remainingMs: num(row.remaining)} : {}),
    }
  }

  async heartbeat(member: Omit<ControlPlaneRecord, 'lastSeen'>, forgetMs: number): Promise<void> {
    await this.sql`INSERT INTO control_planes (id, host, url, pid, version, started_at, last_seen)
      VALUES (${member.id}, ${member.host}, ${member.url}, ${member.pid}, ${member.version}, ${member.startedAt}, now())
      ON CONFLICT (id) DO UPDATE SET url = excluded.url, last_seen = now()`
    await this.sql`DELETE FROM control_planes WHERE last_seen < now() - ${forgetMs} * interval '1 millisecond'`
  }

  async leaveMembers(id: string): Promise<void> {
    await this.sql`DELETE FROM control_planes WHERE id = ${id}`
  }

  async members(): Promise<ControlPlaneRecord[]> {
    const rows = await this.sql`SELECT * FROM control_planes ORDER BY started_at, id`
    return rows.map((r) => ({
      id: String(r.id),
      host: String(r.host),
      url: String(r.url),
      pid: num(r.pid),
      version: String(r.version),
      startedAt: String(r.started_at),
      lastSeen: new Date(r.last_seen as Date).toISOString(),
    }))
  }

  // ---- users and keys ----------------------------------------------------------------------

  async getUser(name: string): Promise<User | undefined> {
    const [row] = await this.sql`SELECT * FROM users WHERE name = ${name}`
    return row ? userFromRow(row) : undefined
  }

  async listUsers(): Promise<(User & {keys: number})[]> {
    const rows = await this
      .sql`SELECT u.name, u.admin, u.grants, (SELECT count(*) FROM api_keys k WHERE k."user" = u.name) AS keys
      FROM users u ORDER BY u.name`
    return rows.map((row) => ({...userFromRow(row), keys: num(row.keys)}))
  }

  deleteUser(name: string): Promise<boolean> {
    return this.write(async (tx) => {
      await tx`DELETE FROM api_keys WHERE "user" = ${name}`
      return (await tx`DELETE FROM users WHERE name = ${name}`).count > 0
    })
  }

  deleteApiKeys(user: string, keep?: string): Promise<number> {
    return this.write(
      async (tx) => (await tx`DELETE FROM api_keys WHERE "user" = ${user} AND id != ${keep ?? ''}`).count,
    )
  }

  putUser(user: User): Promise<void> {
    return this.write(async (tx) => {
      await tx`INSERT INTO users (name, admin, grants) VALUES (${user.name}, ${user.admin}, ${JSON.stringify(user.grants)})
        ON CONFLICT (name) DO UPDATE SET admin = excluded.admin, grants = excluded.grants`
    })
  }

  addApiKey(key: ApiKeyRecord): Promise<void> {
    return this.write(async (tx) => {
      await tx`INSERT INTO api_keys (id, "user", name, hash, created_at)
        VALUES (${key.id}, ${key.user}, ${key.name}, ${key.hash}, ${key.createdAt})`
    })
  }

  async findApiKey(id: string): Promise<ApiKeyRecord | undefined> {
    const [row] = await this.sql`SELECT * FROM api_keys WHERE id = ${id}`
    return row ? apiKeyFromRow(row) : undefined
  }

  async listApiKeys(): Promise<ApiKeyRecord[]> {
    return (await this.sql`SELECT * FROM api_keys ORDER BY id`).map(apiKeyFromRow)
  }

  // ---- copies from another store (drover server migrate) -----------------------------------

  async restoreResource(copy: ResourceCopy): Promise<'created' | 'updated' | 'unchanged'> {
    const {key} = copy.record
    const match = (tx: Tx) => tx`workspace = ${key.workspace} AND type = ${key.type} AND name = ${key.name}`
    const outcome = await this.sql.begin(async (tx) => {
      // The counter first, as every batch locks it: the copy is ordered with their commits.
      // The key's lock, then the counter's: the order of every batch (no deadlock).
      const [, counter, [row], events, revisions] = await Promise.all([
        tx`SELECT pg_advisory_xact_lock(${String(keyLock(key))}::bigint)`,
        tx`SELECT value FROM counters WHERE name = 'resource_version' FOR UPDATE`,
        tx`SELECT * FROM resources WHERE ${match(tx)} FOR UPDATE`,
        tx`SELECT time, kind, reason, message, count, first_time FROM events WHERE ${match(tx)} ORDER BY id`,
        tx`SELECT * FROM revisions WHERE ${match(tx)} ORDER BY revision`,
      ])
      const current = row ? recordFromRow(row) : undefined
      const same = (a: unknown, b: unknown) => canonicalJson(a as Json) === canonicalJson(b as Json)
      if (
        current &&
        same({...current, resourceVersion: 0}, {...copy.record, resourceVersion: 0}) &&
        same(events.map(eventFromRow), copy.events) &&
        same(revisions.map(revisionFromRow), copy.revisions)
      )
        return 'unchanged'
      const rv = num(counter[0]!.value) + 1
      await Promise.all([tx`DELETE FROM events WHERE ${match(tx)}`, tx`DELETE FROM revisions WHERE ${match(tx)}`])
      const writes: PromiseLike<unknown>[] = [
        tx`UPDATE counters SET value = ${rv} WHERE name = 'resource_version'`,
        upsertRecords(tx, [{...copy.record, resourceVersion: provisional(1)}], 1),
      ]
      for (const e of copy.events)
        writes.push(tx`INSERT INTO events (workspace, type, name, time, kind, reason, message, count, first_time, similarity)
          VALUES (${key.workspace}, ${key.type}, ${key.name}, ${e.time}, ${e.type}, ${e.reason}, ${e.message},
            ${e.count ?? 1}, ${e.firstTime ?? null}, ${similarityKey(e.message)})
          ON CONFLICT (workspace, type, name, kind, reason, similarity) DO UPDATE SET id = nextval('events_id_seq'),
            time = excluded.time, message = excluded.message, count = excluded.count, first_time = excluded.first_time`)
      for (const r of copy.revisions)
        writes.push(tx`INSERT INTO revisions (workspace, type, name, revision, template, generation, version, manifest, sealed,
            sealed_digest, cause, created_at)
          VALUES (${key.workspace}, ${key.type}, ${key.name}, ${r.revision}, ${r.template}, ${r.generation}, ${r.version},
            ${JSON.stringify(r.manifest)}, ${r.sealed?.ciphertext ?? null}, ${r.sealed?.digest ?? null}, ${r.cause}, ${r.createdAt})`)
      writes.push(
        tx`INSERT INTO changes (rv, workspace, type, name) VALUES (${rv}, ${key.workspace}, ${key.type}, ${key.name})`,
        tx`SELECT pg_notify(${FEED}, ${String(rv)})`,
      )
      await Promise.all(writes)
      return current ? 'updated' : 'created'
    })
    this.invalidate(keyId(key), key.type)
    return outcome
  }

  async restoreUser(user: User, keys: ApiKeyRecord[]): Promise<'created' | 'updated' | 'unchanged'> {
    return this.sql.begin(async (tx) => {
      const [row] = await tx`SELECT * FROM users WHERE name = ${user.name} FOR UPDATE`
      const have = new Map(
        (await tx`SELECT * FROM api_keys WHERE "user" = ${user.name}`).map((r) => {
          const k = apiKeyFromRow(r)
          return [k.id, `${k.name} ${k.hash.toString('hex')} ${k.createdAt}`]
        }),
      )
      const sameKeys = keys.every((k) => have.get(k.id) === `${k.name} ${k.hash.toString('hex')} ${k.createdAt}`)
      if (
        row &&
        canonicalJson(userFromRow(row) as unknown as Json) === canonicalJson(user as unknown as Json) &&
        sameKeys
      )
        return 'unchanged'
      await tx`INSERT INTO users (name, admin, grants) VALUES (${user.name}, ${user.admin}, ${JSON.stringify(user.grants)})
        ON CONFLICT (name) DO UPDATE SET admin = excluded.admin, grants = excluded.grants`
      for (const k of keys)
        await tx`INSERT INTO api_keys (id, "user", name, hash, created_at) VALUES (${k.id}, ${k.user}, ${k.name}, ${k.hash}, ${k.createdAt})
          ON CONFLICT (id) DO UPDATE SET "user" = excluded."user", name = excluded.name, hash = excluded.hash,
            created_at = excluded.created_at`
      return row ? 'updated' : 'created'
    })
  }

  async countUsers(): Promise<number> {
    const [row] = await this.sql`SELECT count(*) AS n FROM users`
    return num(row!.n)
  }

  /** "ok" when every resourceVersion is at most the counter's (what ordering relies on). */
  async check(): Promise<string> {
    const [row] = await this.sql`SELECT (SELECT value FROM counters WHERE name = 'resource_version') AS counter,
      (SELECT coalesce(max(resource_version), 0) FROM resources) AS newest`
    return num(row!.newest) <= num(row!.counter)
      ? 'ok'
      : `a resource is at resourceVersion ${String(row!.newest)}, past the counter (${String(row!.counter)})`
  }

  async close(): Promise<void> {
    if (this.closed) return
    // Whatever is queued is committed before the connections close.
    this.closed = true
    this.next()
    while (this.inflight.size > 0) await Promise.all([...this.inflight])
    clearInterval(this.feedTimer)
    await this.listening?.unlisten().catch(() => undefined)
    await this.reading
    await this.sql.end({timeout: 5})
  }
}
