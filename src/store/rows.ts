// Rows of the stores' tables as the port's records: the SQLite and PostgreSQL schemas name their
// columns alike (manifests and statuses as JSON text, sealed data in two columns).
import type {Json, ResourceEvent, ResourceStatus} from '../resources/stored.js'
import type {ApiKeyRecord, RevisionRecord, StoredRecord, User} from './store.js'

type Row = Record<string, unknown>

const sealedOf = (row: Row) =>
  row.sealed ? {sealed: {ciphertext: String(row.sealed), digest: String(row.sealed_digest)}} : {}

export function recordFromRow(row: Row): StoredRecord {
  return {
    key: {workspace: String(row.workspace), type: String(row.type), name: String(row.name)},
    version: String(row.version),
    owner: String(row.owner),
    uid: String(row.uid),
    manifest: JSON.parse(String(row.manifest)) as Json,
    ...sealedOf(row),
    status: JSON.parse(String(row.status)) as ResourceStatus,
    generation: Number(row.generation),
    resourceVersion: Number(row.resource_version),
    createdAt: String(row.created_at),
    updatedAt: String(row.updated_at),
  }
}

export function revisionFromRow(row: Row): RevisionRecord {
  return {
    revision: Number(row.revision),
    template: String(row.template),
    generation: Number(row.generation),
    version: String(row.version),
    manifest: JSON.parse(String(row.manifest)) as Json,
    ...sealedOf(row),
    cause: String(row.cause),
    createdAt: String(row.created_at),
  }
}

/** An event row (time, kind, reason, message, count, first_time). */
export function eventFromRow(row: Row): ResourceEvent {
  return {
    time: String(row.time),
    type: row.kind as ResourceEvent['type'],
    reason: String(row.reason),
    message: String(row.message),
    ...(Number(row.count) > 1 ? {count: Number(row.count), firstTime: String(row.first_time)} : {}),
  }
}

/** A user row; `admin` is 1/0 in SQLite, a boolean in PostgreSQL. */
export function userFromRow(row: Row): User {
  return {
    name: String(row.name),
    admin: row.admin === true || Number(row.admin) === 1,
    grants: JSON.parse(String(row.grants)) as User['grants'],
  }
}

export function apiKeyFromRow(row: Row): ApiKeyRecord {
  return {
    id: String(row.id),
    user: String(row.user),
    name: String(row.name),
    hash: Buffer.from(row.hash as Uint8Array),
    createdAt: String(row.created_at),
  }
}
