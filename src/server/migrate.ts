// `drover server migrate`: copies one store into another (a local SQLite store into PostgreSQL)
// through the store port: users with their API keys (hashes), then every resource with its
// status, events and rollout history. Secret values stay sealed: they are copied encrypted, and
// the control planes on the new store need the same encryption key. Each item is copied in a
// transaction of its own and compared first, so that a migration run again (after an
// interruption, or to catch up) writes only what differs. main.ts opens the two stores.
import {type ResourceCopy, type ResourceStore, type RestorableStore, listAll} from '../store/store.js'

type Outcome = 'created' | 'updated' | 'unchanged'
type Counts = Record<Outcome, number>

export interface MigrationSummary {
  users: Counts
  resources: Counts
  /** By type: worker, stack, secret, compute. */
  types: Record<string, number>
  events: number
  revisions: number
}

/** Progress, after each item: how many of how many are done. */
export type Progress = (done: number, total: number) => void

export async function migrateStore(
  from: ResourceStore,
  to: RestorableStore,
  progress: Progress = () => {},
): Promise<MigrationSummary> {
  const counts = (): Counts => ({created: 0, updated: 0, unchanged: 0})
  const summary: MigrationSummary = {users: counts(), resources: counts(), types: {}, events: 0, revisions: 0}
  const [users, keys, records] = await Promise.all([from.listUsers(), from.listApiKeys(), listAll(from, {})])
  const total = users.length + records.length
  let done = 0
  progress(done, total)
  for (const {keys: _count, ...user} of users) {
    summary.users[
      await to.restoreUser(
        user,
        keys.filter((k) => k.user === user.name),
      )
    ]++
    progress(++done, total)
  }
  for (const record of records) {
    const copy: ResourceCopy = {
      record,
      events: await from.events(record.key, 100_000),
      revisions: await from.revisions(record.key),
    }
    summary.resources[await to.restoreResource(copy)]++
    summary.types[record.key.type] = (summary.types[record.key.type] ?? 0) + 1
    summary.events += copy.events.length
    summary.revisions += copy.revisions.length
    progress(++done, total)
  }
  return summary
}
