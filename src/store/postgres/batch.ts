// One group commit of the PostgreSQL store, worked out in memory: the rows a batch touches are
// loaded (read under their locks, or as the store knows them, checked by the database when the
// batch is sent), every write of the batch is decided here against them (the same rules as the
// SQLite store's SQL: conflicts, generations, the rollout history), and what changed is written
// back, pipelined. Events are not read: each one added is
// written by one statement that counts a similar event already kept and drops the oldest past
// the limit (the SQLite store's rule, in SQL), so a resource's hundred events are not read and
// parsed at every apply. Each write is tried on a snapshot of its key, so one that is refused
// (a 409) leaves nothing behind and the others stand, as a savepoint would, without its round
// trips. Pure: no I/O.
import type {Json} from '../../resources/stored.js'
import type {NewEvent, ResourceKey, StoredRecord} from '../store.js'

/** An event to add, as the batch decided it. */
export interface EventWrite {
  time: string
  kind: string
  reason: string
  message: string
}

export interface RevisionRow {
  revision: number
  template: string
  cause: string
  createdAt: string
  /** Written by this batch: the spec it keeps (absent for a row only read). */
  spec?: {generation: number; version: string; manifest: Json; sealed: string | null; sealedDigest: string | null}
}

export const keyId = (key: ResourceKey) => `${key.workspace}\u0000${key.type}\u0000${key.name}`

interface Slot {
  key: ResourceKey
  initial: StoredRecord | undefined
  record: StoredRecord | undefined
  /** Events added by this batch (after its deletion, when it deleted the key). */
  events: EventWrite[]
  /** Loaded (or emptied by a delete); undefined when the batch did not need them. */
  revisions?: RevisionRow[]
  /** Deleted by this batch: its events and revisions go by key. */
  cleared: boolean
  /** The resourceVersion its deletion took, when it is gone at the end. */
  removedAt?: number
  /** The numbers of the revisions read. */
  revisionNumbers: ReadonlySet<number>
}

/** What a batch changed, in the order it must be written. */
export interface BatchChanges {
  /** Resources deleted (with their events and revisions), before anything is written back. */
  cleared: ResourceKey[]
  records: StoredRecord[]
  revisionsDropped: {key: ResourceKey; revision: number}[]
  revisionsWritten: {key: ResourceKey; row: RevisionRow & {spec: NonNullable<RevisionRow['spec']>}}[]
  /** In the order they were added; each key's oldest past the limit are dropped after them. */
  eventsAdded: {key: ResourceKey; row: EventWrite}[]
  /** The change feed: each key the batch wrote or deleted, at its last (provisional) resourceVersion. */
  feed: {rv: number; workspace: string; type: string; name: string}[]
  /** How many resourceVersions the batch took. */
  taken: number
}

/**
 * The resourceVersions a batch hands out are provisional, -1.5, -2.5, …: the counter is taken
 * when the batch writes (its lock held only from there to COMMIT), so their values are known
 * only then. Being negative and fractional, none equals a version a caller could have seen.
 */
export const provisional = (n: number) => -n - 0.5

/** The version a provisional one is, once the batch took the counter from `base` (+1, +2, …). */
export const settled = (version: number, base: number) => (version < 0 ? base - version - 0.5 : version)

/** The position (1, 2, …) of a provisional version among those its batch took. */
export const offsetOf = (version: number) => -version - 0.5

export class Batch {
  private readonly slots = new Map<string, Slot>()
  /** Versions taken so far. */
  private rv = 0
  /** Every record the batch made, the overwritten too (a caller has each): settled after COMMIT. */
  readonly made: StoredRecord[] = []

  /** A key as read at the start of the batch, with its revisions when they were read. */
  load(key: ResourceKey, record: StoredRecord | undefined, revisions?: RevisionRow[]): void {
    this.slots.set(keyId(key), {
      key,
      initial: record,
      record,
      events: [],
      ...(revisions ? {revisions} : {}),
      cleared: false,
      revisionNumbers: new Set((revisions ?? []).map((r) => r.revision)),
    })
  }

  private slot(key: ResourceKey): Slot {
    const slot = this.slots.get(keyId(key))
    if (!slot) throw new Error(`the batch did not read ${keyId(key)}`)
    return slot
  }

  current(key: ResourceKey): StoredRecord | undefined {
    return this.slot(key).record
  }

  /** The key's record as the batch loaded it. */
  initial(key: ResourceKey): StoredRecord | undefined {
    return this.slot(key).initial
  }

  /** The key's revisions as the batch leaves them (as a read would give them), when it loaded them. */
  revisionsOf(key: ResourceKey): RevisionRow[] | undefined {
    return this.slot(key).revisions?.map(({revision, template, cause, createdAt}) => ({
      revision,
      template,
      cause,
      createdAt,
    }))
  }

  nextResourceVersion(): number {
    return provisional(++this.rv)
  }

  /**
   * Runs one write against its key: when it throws, the key is as it was before it (and no
   * resourceVersion is taken), as a savepoint rolled back.
   */
  attempt<T>(key: ResourceKey | undefined, write: () => T): T {
    const slot = key ? this.slot(key) : undefined
    const saved = slot
      ? {
          record: slot.record,
          events: slot.events.length,
          revisions: slot.revisions ? [...slot.revisions] : undefined,
          cleared: slot.cleared,
          removedAt: slot.removedAt,
        }
      : undefined
    const rv = this.rv
    try {
      return write()
    } catch (error) {
      this.rv = rv
      if (slot && saved) {
        slot.record = saved.record
        slot.events.length = saved.events
        if (saved.revisions) slot.revisions = saved.revisions
        else delete slot.revisions
        slot.cleared = saved.cleared
        if (saved.removedAt === undefined) delete slot.removedAt
        else slot.removedAt = saved.removedAt
      }
      throw error
    }
  }

  put(record: StoredRecord): void {
    this.made.push(record)
    this.slot(record.key).record = record
  }

  /** Deletes the key's resource, its events and revisions; `resourceVersion` is what the deletion took. */
  remove(key: ResourceKey, resourceVersion: number): void {
    const slot = this.slot(key)
    slot.removedAt = resourceVersion
    slot.record = undefined
    slot.events.length = 0
    slot.revisions = []
    slot.cleared = true
  }

  /** Adds an event (a similar one already kept is counted by the statement that writes it). */
  addEvent(key: ResourceKey, event: NewEvent, now: string): void {
    this.slot(key).events.push({time: now, kind: event.type, reason: event.reason, message: event.message})
  }

  /** Keeps the record's spec in the rollout history (SQLite's rule: a revision per template). */
  keepRevision(record: StoredRecord, revision: {template: string; cause: string; keep: number}, now: string): void {
    const slot = this.slot(record.key)
    if (!slot.revisions) throw new Error(`the batch did not read the revisions of ${keyId(record.key)}`)
    const list = slot.revisions
    const spec = {
      generation: record.generation,
      version: record.version,
      manifest: record.manifest,
      sealed: record.sealed?.ciphertext ?? null,
      sealedDigest: record.sealed?.digest ?? null,
    }
    const newest = list.reduce((n, r) => Math.max(n, r.revision), 0)
    const at = list.findIndex((r) => r.template === revision.template)
    if (at >= 0 && list[at]!.revision === newest) {
      // The same template again (a replica count changed): the newest revision's spec follows.
      list[at] = {...list[at]!, spec}
      return
    }
    if (at >= 0) list.splice(at, 1)
    list.push({revision: newest + 1, template: revision.template, cause: revision.cause, createdAt: now, spec})
    list.sort((a, b) => a.revision - b.revision)
    const keep = Math.max(1, revision.keep)
    if (list.length > keep) list.splice(0, list.length - keep)
  }

  /** What to write back. */
  changes(): BatchChanges {
    const out: BatchChanges = {
      cleared: [],
      records: [],
      revisionsDropped: [],
      revisionsWritten: [],
      eventsAdded: [],
      feed: [],
      taken: this.rv,
    }
    for (const slot of this.slots.values()) {
      if (slot.cleared) out.cleared.push(slot.key)
      if (slot.record && slot.record !== slot.initial) {
        out.records.push(slot.record)
        out.feed.push({rv: slot.record.resourceVersion, ...slot.key})
      } else if (!slot.record && slot.removedAt !== undefined) out.feed.push({rv: slot.removedAt, ...slot.key})
      for (const row of slot.events) out.eventsAdded.push({key: slot.key, row})
      if (slot.revisions) {
        const kept = new Set(slot.revisions.map((r) => r.revision))
        if (!slot.cleared)
          for (const revision of slot.revisionNumbers)
            if (!kept.has(revision)) out.revisionsDropped.push({key: slot.key, revision})
        for (const row of slot.revisions)
          if (row.spec) out.revisionsWritten.push({key: slot.key, row: {...row, spec: row.spec}})
      }
    }
    return out
  }
}
