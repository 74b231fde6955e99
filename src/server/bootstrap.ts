// The local admin: created on the first start of a control plane, with an API key written to a
// 0600 file that the CLI's default (local) context reads. A key file whose key no longer
// authenticates (a new database) is replaced.
import {chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync} from 'node:fs'
import {dirname} from 'node:path'
import type {ResourceStore} from '../store/store.js'
import {authenticate, newApiKey} from './auth.js'

export async function ensureLocalAdmin(store: ResourceStore, user: string, keyFile: string): Promise<void> {
  const existing = await store.getUser(user)
  if (!existing?.admin) await store.putUser({name: user, admin: true, grants: existing?.grants ?? []})
  if (existsSync(keyFile)) {
    try {
      const caller = await authenticate(store, `Bearer ${readFileSync(keyFile, 'utf8').trim()}`)
      if (caller.user.admin) return
    } catch {
      // Not a key of this database: issue a new one below.
    }
  }
  const key = newApiKey()
  await store.addApiKey({id: key.id, user, name: 'local admin', hash: key.hash, createdAt: new Date().toISOString()})
  mkdirSync(dirname(keyFile), {recursive: true, mode: 0o700})
  const tmp = `${keyFile}.${process.pid}.tmp`
  writeFileSync(tmp, `${key.key}\n`, {mode: 0o600})
  chmodSync(tmp, 0o600)
  renameSync(tmp, keyFile)
}
