// Every permission decision, as a table (src/server/permissions.ts).
import {describe, expect, it} from 'vitest'
import {
  access,
  actAs,
  grantWrite,
  readLogs,
  revealCredentials,
  useSecret,
  writeWorker,
} from '../../../src/server/permissions.js'
import type {Caller} from '../../../src/server/auth.js'

const user = (name: string, grants: [string, 'read' | 'write'][] = [], admin = false): Caller => ({
  user: {name, admin, grants: grants.map(([workspace, access]) => ({workspace, access}))},
})
const admin = user('root', [], true)
const writer = user('alice', [['team-a', 'write']])
const reader = user('bob', [['team-a', 'read']])
const everywhere = user('carol', [['*', 'write']])
const mixed = user('mallory', [
  ['team-a', 'write'],
  ['team-b', 'read'],
])

describe('permissions', () => {
  it.each([
    [admin, 'write', 'team-a', true],
    [admin, 'write', '', true],
    [writer, 'write', 'team-a', true],
    [writer, 'read', 'team-a', true],
    [writer, 'read', 'team-b', false],
    [writer, 'write', '', false],
    [writer, 'read', '', true],
    [reader, 'read', 'team-a', true],
    [reader, 'write', 'team-a', false],
    [everywhere, 'write', 'anything', true],
    [everywhere, 'write', '', false],
  ] as const)('access %#', (caller, mode, workspace, ok) => {
    expect(access(caller, mode, workspace).ok).toBe(ok)
  })

  it.each([
    [admin, 'alice', true],
    [writer, 'alice', true],
    [user('dave', [['team-a', 'write']]), 'alice', false],
    [user('eve'), 'eve', false],
  ] as const)('reveal credentials %#', (caller, owner, ok) => {
    expect(revealCredentials(caller, {owner, workspace: 'team-a'}).ok).toBe(ok)
  })

  it.each([
    [admin, 'team-b', true],
    [mixed, 'team-a', true],
    [mixed, 'team-b', false],
    [reader, 'team-a', false],
    [everywhere, 'team-b', true],
  ] as const)('use a secret %#', (caller, workspace, ok) => {
    expect(useSecret(caller, workspace).ok).toBe(ok)
  })

  it.each([
    [reader, [], true],
    [reader, ['team-a'], false],
    [writer, ['team-a'], true],
    [mixed, ['team-a', 'team-b'], false],
    [admin, ['team-b'], true],
    [user('x'), [], false],
  ] as const)('read logs %#', (caller, secrets, ok) => {
    expect(readLogs(caller, 'team-a', secrets).ok).toBe(ok)
  })

  it.each([
    [writer, 'isolated', true],
    [writer, 'single-tenant', true],
    [writer, 'admins-only', false],
    [admin, 'admins-only', true],
    [reader, 'isolated', false],
  ] as const)('write a worker %#', (caller, tenancy, ok) => {
    expect(writeWorker(caller, 'team-a', tenancy).ok).toBe(ok)
  })

  it.each([
    [admin, 'isolated', true],
    [admin, 'single-tenant', true],
    [admin, 'admins-only', false],
    [writer, 'isolated', false],
  ] as const)('grant write %#', (caller, tenancy, ok) => {
    expect(grantWrite(caller, tenancy).ok).toBe(ok)
  })

  it('says why when the answer is no', () => {
    expect(writeWorker(writer, 'team-a', 'admins-only')).toEqual({
      ok: false,
      reason: expect.stringContaining('--single-tenant'),
    })
    expect(actAs(writer, 'root')).toEqual({ok: false, reason: 'user alice may not run workers as root'})
    expect(actAs(writer, 'alice').ok).toBe(true)
  })
})
