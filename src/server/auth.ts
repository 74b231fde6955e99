// Bearer API keys. A key is `drv_<id>_<secret>`: the id finds the record, only the SHA-256 of
// the secret is stored, and it is compared in constant time. 401 means "who are you?" (no key,
// or a key that is not valid, without saying which); 403 means "you may not".
import {createHash, randomBytes, timingSafeEqual} from 'node:crypto'
import type {ResourceStore, User} from '../store/store.js'
import {ApiError} from './errors.js'
import {type Access, type Caller, type Decision, access} from './permissions.js'

export type {Caller} from './permissions.js'

const KEY_PATTERN = /^drv_([a-z0-9]{16})_([A-Za-z0-9_-]{43})$/

const sha256 = (text: string) => createHash('sha256').update(text).digest()

export function newApiKey(): {id: string; key: string; hash: Buffer} {
  const id = randomBytes(10).toString('hex').slice(0, 16)
  const secret = randomBytes(32).toString('base64url')
  return {id, key: `drv_${id}_${secret}`, hash: sha256(secret)}
}

const unauthorized = () =>
  new ApiError('Unauthorized', 'missing or invalid API key: send "Authorization: Bearer <key>"')

export async function authenticate(store: ResourceStore, header: string | undefined): Promise<Caller> {
  const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null
  const parts = match ? KEY_PATTERN.exec(match[1]!) : null
  if (!parts) throw unauthorized()
  const record = await store.findApiKey(parts[1]!)
  // Hash even when there is no record, so that timing does not tell a known id from an unknown one.
  const given = sha256(parts[2]!)
  if (!record || !timingSafeEqual(given, record.hash)) throw unauthorized()
  const user = await store.getUser(record.user)
  if (!user) throw unauthorized()
  return {user, keyId: record.id}
}

/**
 * authenticate() with the key records and users kept in memory for a few seconds: two store
 * reads per request were a third of the cost of a GET. The secret is still hashed and compared
 * in constant time on every request; invalidate() drops everything when users or keys change.
 */
export class Authenticator {
  private readonly cache = new Map<string, {hash: Buffer; user: User; expires: number}>()

  constructor(
    private readonly store: ResourceStore,
    private readonly ttlMs = 10_000,
  ) {}

  async authenticate(header: string | undefined): Promise<Caller> {
    const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null
    const parts = match ? KEY_PATTERN.exec(match[1]!) : null
    if (!parts) throw unauthorized()
    const cached = this.cache.get(parts[1]!)
    if (!cached || cached.expires < Date.now()) {
      const caller = await authenticate(this.store, header)
      const record = (await this.store.findApiKey(parts[1]!))!
      this.cache.set(parts[1]!, {hash: record.hash, user: caller.user, expires: Date.now() + this.ttlMs})
      return caller
    }
    if (!timingSafeEqual(sha256(parts[2]!), cached.hash)) throw unauthorized()
    return {user: cached.user, keyId: parts[1]!}
  }

  invalidate(): void {
    this.cache.clear()
  }
}

/** Whether the caller may read or write resources of `workspace` ('' = instance-level). */
export function allowed(caller: Caller, mode: Access, workspace: string): boolean {
  return access(caller, mode, workspace).ok
}

/** Throws 403 with the reason when `decision` says no. */
export function enforce(decision: Decision): void {
  if (!decision.ok) throw new ApiError('Forbidden', decision.reason)
}

export function authorize(caller: Caller, mode: Access, workspace: string): void {
  enforce(access(caller, mode, workspace))
}
