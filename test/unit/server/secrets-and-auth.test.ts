import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {Authenticator, newApiKey} from '../../../src/server/auth.js'
import {ConfigError, loadServerConfig} from '../../../src/server/config.js'
import {SecretCipher} from '../../../src/server/secrets.js'
import {SqliteStore} from '../../../src/store/sqlite/sqlite-store.js'

const dir = mkdtempSync(join(tmpdir(), 'drover-unit-server-'))
afterAll(() => rmSync(dir, {recursive: true, force: true}))

describe('SecretCipher', () => {
  const cipher = new SecretCipher(Buffer.alloc(32, 7))
  const flip = (b64: string, at: number) => {
    const raw = Buffer.from(b64, 'base64')
    raw[at]! ^= 1
    return raw.toString('base64')
  }

  it('round-trips, with a fresh nonce each time and the same digest for the same value', () => {
    const a = cipher.seal({password: 'hunter2'})
    const b = cipher.seal({password: 'hunter2'})
    expect(cipher.unseal(a)).toEqual({password: 'hunter2'})
    expect(a.ciphertext).not.toBe(b.ciphertext)
    expect(a.digest).toBe(b.digest)
    expect(a.ciphertext).not.toContain('hunter2')
  })

  it('refuses a tampered ciphertext: any flipped bit, in the nonce, the tag or the body', () => {
    const sealed = cipher.seal({password: 'hunter2'})
    const body = sealed.ciphertext.slice(3)
    for (const at of [0, 12, 20, 30])
      expect(() => cipher.unseal({...sealed, ciphertext: `v1:${flip(body, at)}`})).toThrow()
    // A cut tag is not a shorter valid tag (GCM would accept 4-byte tags unless told otherwise).
    const raw = Buffer.from(body, 'base64')
    const short = Buffer.concat([raw.subarray(0, 16)]).toString('base64')
    expect(() => cipher.unseal({...sealed, ciphertext: `v1:${short}`})).toThrow()
  })

  it('refuses a value sealed with another key', () => {
    const other = new SecretCipher(Buffer.alloc(32, 8))
    expect(() => cipher.unseal(other.seal({a: 1}))).toThrow()
  })

  it('opens only its own, unaltered page tokens', () => {
    const token = cipher.sealToken(['public', 'worker', 'w1'])
    expect(cipher.openToken(token)).toEqual(['public', 'worker', 'w1'])
    const raw = Buffer.from(token, 'base64url')
    raw[raw.length - 1]! ^= 1
    expect(cipher.openToken(raw.toString('base64url'))).toBeUndefined()
    expect(cipher.openToken(token.slice(0, 30))).toBeUndefined()
    expect(cipher.openToken('garbage')).toBeUndefined()
    expect(new SecretCipher(Buffer.alloc(32, 8)).openToken(token)).toBeUndefined()
  })

  it('needs a 32-byte key', () => {
    expect(() => new SecretCipher(Buffer.alloc(16))).toThrow('32 bytes')
  })
})

describe('Authenticator (the key cache)', () => {
  let store: SqliteStore
  let key: string
  beforeAll(async () => {
    store = new SqliteStore({path: join(dir, 'auth.db'), eventsPerResource: 5})
    await store.putUser({name: 'alice', admin: false, grants: [{workspace: 'public', access: 'read'}]})
    const k = newApiKey()
    await store.addApiKey({id: k.id, user: 'alice', name: 't', hash: k.hash, createdAt: new Date().toISOString()})
    key = k.key
  })
  afterAll(async () => store.close())

  it('serves from the cache until invalidated, and still checks the secret of a cached key', async () => {
    const auth = new Authenticator(store, 60_000)
    expect((await auth.authenticate(`Bearer ${key}`)).user.grants).toEqual([{workspace: 'public', access: 'read'}])
    await store.putUser({name: 'alice', admin: false, grants: [{workspace: 'public', access: 'write'}]})
    // Cached: the old grants, until invalidate() (the API calls it when users change).
    expect((await auth.authenticate(`Bearer ${key}`)).user.grants[0]!.access).toBe('read')
    const forged = `${key.slice(0, -1)}${key.endsWith('A') ? 'B' : 'A'}`
    await expect(auth.authenticate(`Bearer ${forged}`)).rejects.toMatchObject({code: 'Unauthorized'})
    auth.invalidate()
    expect((await auth.authenticate(`Bearer ${key}`)).user.grants[0]!.access).toBe('write')
  })

  it('re-reads the store once an entry expires', async () => {
    const auth = new Authenticator(store, -1)
    await auth.authenticate(`Bearer ${key}`)
    await store.putUser({name: 'alice', admin: true, grants: []})
    expect((await auth.authenticate(`Bearer ${key}`)).user.admin).toBe(true)
  })

  it('answers 401 to a malformed header, an unknown id and a missing key', async () => {
    const auth = new Authenticator(store)
    for (const header of [undefined, 'Basic x', 'Bearer nope', `Bearer drv_${'0'.repeat(16)}_${'A'.repeat(43)}`])
      await expect(auth.authenticate(header)).rejects.toMatchObject({code: 'Unauthorized'})
  })
})

describe('server configuration precedence: defaults < file < DROVER_* < flags', () => {
  const file = join(dir, 'server.yaml')
  writeFileSync(file, 'port: 7001\nmaxReplicas: 50\nhost: 0.0.0.0\n')
  const env = {HOME: dir, DROVER_CONFIG: file}

  it('takes each setting from the strongest source that gives it', () => {
    expect(loadServerConfig([], {HOME: dir})).toMatchObject({port: 7424, maxReplicas: 1000, host: '127.0.0.1'})
    expect(loadServerConfig([], env)).toMatchObject({port: 7001, maxReplicas: 50, host: '0.0.0.0'})
    expect(loadServerConfig([], {...env, DROVER_PORT: '7002', DROVER_MAX_REPLICAS: ''})).toMatchObject({
      port: 7002,
      maxReplicas: 50,
    })
    expect(loadServerConfig(['--port', '7003'], {...env, DROVER_PORT: '7002'})).toMatchObject({
      port: 7003,
      host: '0.0.0.0',
    })
  })

  it('says which setting is wrong, and where it came from', () => {
    expect(() => loadServerConfig(['--port', 'x'], env)).toThrow(ConfigError)
    expect(() => loadServerConfig([], {...env, DROVER_PORT: '99999'})).toThrow(/port/)
    expect(() => loadServerConfig(['--no-such-flag'], env)).toThrow(ConfigError)
    writeFileSync(join(dir, 'bad.yaml'), '- a list\n')
    expect(() => loadServerConfig([], {HOME: dir, DROVER_CONFIG: join(dir, 'bad.yaml')})).toThrow(
      /bad\.yaml: must be a mapping of settings/,
    )
  })
})
