// The Operations page's session: a signed cookie, not a server-side table, so that any control
// plane sharing the store (and the encryption key) accepts it. It names the API key it was
// opened with; each request checks that key still exists, so revoking the key ends the session.
// One-time login tokens (`drover dashboard`) are signed the same way, live a minute, and are
// taken once (by this control plane: decision 0016).
import {createHmac, randomBytes, timingSafeEqual} from 'node:crypto'
import type {ResourceStore} from '../../store/store.js'
import type {Caller} from '../auth.js'

export const SESSION_COOKIE = 'drover_session'
const SESSION_MS = 8 * 60 * 60 * 1000
const TOKEN_MS = 60 * 1000

interface Claims {
  /** What it is: a session, or a login token. */
  p: 'session' | 'login'
  /** The API key's id and its user. */
  k: string
  u: string
  /** Expiry, ms since the epoch. */
  e: number
  /** A login token's nonce. */
  n?: string
}

export class Sessions {
  private readonly used = new Map<string, number>()

  constructor(
    private readonly key: Buffer,
    private readonly store: ResourceStore,
    private readonly now: () => number = Date.now,
  ) {}

  private sign(claims: Claims): string {
    const payload = Buffer.from(JSON.stringify(claims)).toString('base64url')
    return `${payload}.${createHmac('sha256', this.key).update(payload).digest('base64url')}`
  }

  private verify(token: string, purpose: Claims['p']): Claims | undefined {
    const [payload, mac] = token.split('.')
    if (!payload || !mac) return undefined
    const expected = createHmac('sha256', this.key).update(payload).digest()
    const given = Buffer.from(mac, 'base64url')
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined
    let claims: Claims
    try {
      claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Claims
    } catch {
      return undefined
    }
    return claims.p === purpose && claims.e > this.now() ? claims : undefined
  }

  /** A session cookie's value for the API key `keyId` of `user`, and when it expires. */
  open(keyId: string, user: string): {value: string; maxAgeSeconds: number} {
    return {
      value: this.sign({p: 'session', k: keyId, u: user, e: this.now() + SESSION_MS}),
      maxAgeSeconds: SESSION_MS / 1000,
    }
  }

  /** A one-time login token for `drover dashboard`. */
  loginToken(keyId: string, user: string): {token: string; expiresAt: string} {
    const e = this.now() + TOKEN_MS
    return {
      token: this.sign({p: 'login', k: keyId, u: user, e, n: randomBytes(12).toString('base64url')}),
      expiresAt: new Date(e).toISOString(),
    }
  }

  /** Takes a login token (once): the key and user it opens a session for, or undefined. */
  redeem(token: string): {keyId: string; user: string} | undefined {
    const claims = this.verify(token, 'login')
    if (!claims?.n || this.used.has(claims.n)) return undefined
    for (const [nonce, expires] of this.used) if (expires <= this.now()) this.used.delete(nonce)
    this.used.set(claims.n, claims.e)
    return {keyId: claims.k, user: claims.u}
  }

  /** The caller of a session cookie, or undefined (no cookie, forged, expired, or its key revoked). */
  async caller(cookieHeader: string | undefined): Promise<(Caller & {keyId: string}) | undefined> {
    const value = cookieValue(cookieHeader, SESSION_COOKIE)
    const claims = value ? this.verify(value, 'session') : undefined
    if (!claims) return undefined
    const key = await this.store.findApiKey(claims.k)
    if (!key || key.user !== claims.u) return undefined
    const user = await this.store.getUser(claims.u)
    return user ? {user, keyId: claims.k} : undefined
  }
}

/** One cookie's value from a Cookie header. */
function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const at = part.indexOf('=')
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim()
  }
  return undefined
}
