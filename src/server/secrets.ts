// Secret values at rest: AES-256-GCM with a key kept in its own 0600 file, outside the
// database, so that a dump of the database shows no value in clear. A keyed digest (HMAC)
// beside the ciphertext lets the store tell "unchanged" without decrypting.
import {createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes} from 'node:crypto'
import {chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {dirname} from 'node:path'
import {canonicalJson} from '../lib/canonical-json.js'
import type {Sealed} from '../store/store.js'

export class SecretCipher {
  private readonly encryptionKey: Buffer
  private readonly digestKey: Buffer
  private readonly tokenKey: Buffer
  /** The key the Operations page's sessions are signed with (derived: one key file to share). */
  readonly sessionKey: Buffer

  constructor(masterKey: Buffer) {
    if (masterKey.length !== 32) throw new Error('the encryption key must be 32 bytes')
    this.encryptionKey = Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), 'drover secret encryption', 32))
    this.digestKey = Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), 'drover secret digest', 32))
    this.tokenKey = Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), 'drover page token', 32))
    this.sessionKey = Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), 'drover page session', 32))
  }

  /** Reads the key file, creating it (0600, 32 random bytes) on first use. */
  static fromKeyFile(path: string): SecretCipher {
    if (!existsSync(path)) {
      mkdirSync(dirname(path), {recursive: true, mode: 0o700})
      writeFileSync(path, `${randomBytes(32).toString('base64')}\n`, {mode: 0o600, flag: 'wx'})
    }
    chmodSync(path, 0o600)
    return new SecretCipher(Buffer.from(readFileSync(path, 'utf8').trim(), 'base64'))
  }

  seal(data: unknown): Sealed {
    const plaintext = Buffer.from(canonicalJson(data))
    const iv = randomBytes(12)
    const cipher = createCipheriv('aes-256-gcm', this.encryptionKey, iv)
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()])
    return {
      ciphertext: `v1:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`,
      digest: createHmac('sha256', this.digestKey).update(plaintext).digest('base64'),
    }
  }

  unseal(sealed: Sealed): unknown {
    const raw = Buffer.from(sealed.ciphertext.replace(/^v1:/, ''), 'base64')
    const decipher = createDecipheriv('aes-256-gcm', this.encryptionKey, raw.subarray(0, 12), {authTagLength: 16})
    decipher.setAuthTag(raw.subarray(12, 28))
    return JSON.parse(Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8'))
  }

  /** An opaque, tamper-proof token for `value` (list continue tokens): encrypted, base64url. */
  sealToken(value: unknown): string {
    const iv = randomBytes(12)
    const cipher = createCipheriv('aes-256-gcm', this.tokenKey, iv)
    const body = Buffer.concat([cipher.update(JSON.stringify(value)), cipher.final()])
    return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url')
  }

  /** The value of a token from sealToken, or undefined when it is not one (forged, altered, from another server). */
  openToken(token: string): unknown {
    try {
      const raw = Buffer.from(token, 'base64url')
      if (raw.length < 29) return undefined
      const decipher = createDecipheriv('aes-256-gcm', this.tokenKey, raw.subarray(0, 12), {authTagLength: 16})
      decipher.setAuthTag(raw.subarray(12, 28))
      return JSON.parse(Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8'))
    } catch {
      return undefined
    }
  }
}
