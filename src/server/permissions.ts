// Every permission decision of the control plane, in one place and tested as a table
// (test/unit/server/permissions.test.ts). Each function is pure: it answers from the caller,
// the resource and the server's tenancy, and returns the reason when the answer is no.
//
// The rules (README "Security model"):
// - read / write: admins everything; others per workspace grant ('*' = every workspace);
//   instance-level resources (stacks) are readable by all and written by admins.
// - credentials read back (secret values, runAsApiKey with unSanitize): admins and the
//   resource's owner only, and only with read on its workspace. A writer who is not the owner
//   can replace a credential but never read it.
// - using a secret in a worker: write on the secret's workspace. Whoever may use a secret can
//   print it from a worker, so "use" is the bar, not "read".
// - reading the logs of a worker: read on its workspace and, for every secret it consumes, the
//   right to use that secret (the log may hold the values).
// - writing workers (running code): where replicas are not isolated per workspace (the control
//   plane is not root and runs them as its own user), only admins, unless the server was started
//   single-tenant, which says every writer is trusted like the server's own user.

import type {User} from '../store/store.js'

/** Who makes a request: the user an API key belongs to. */
export interface Caller {
  user: User
  /** The id of the API key it authenticated with (a session of the Operations page names it too). */
  keyId?: string
}

export type Access = 'read' | 'write'

/** How replicas are separated: per-workspace uids (root), or the server's own user. */
export type Tenancy = 'isolated' | 'single-tenant' | 'admins-only'

export type Decision = {ok: true} | {ok: false; reason: string}

const yes: Decision = {ok: true}
const no = (reason: string): Decision => ({ok: false, reason})

const where = (workspace: string) => (workspace === '' ? 'instance-level resources' : `workspace ${workspace}`)

export function access(caller: Caller, mode: Access, workspace: string): Decision {
  if (caller.user.admin) return yes
  if (workspace === '')
    return mode === 'read' ? yes : no(`user ${caller.user.name} may not write instance-level resources (admins only)`)
  const grant = caller.user.grants.find((g) => g.workspace === workspace || g.workspace === '*')
  if (grant && (mode === 'read' || grant.access === 'write')) return yes
  return no(`user ${caller.user.name} may not ${mode} ${where(workspace)}`)
}

/** Secret values or runAsApiKey in clear (`--unSanitize`). */
export function revealCredentials(caller: Caller, resource: {owner: string; workspace: string}): Decision {
  const read = access(caller, 'read', resource.workspace)
  if (!read.ok) return read
  if (caller.user.admin || caller.user.name === resource.owner) return yes
  return no(
    `user ${caller.user.name} may not read the credentials of a resource owned by ${resource.owner} (only its owner and admins may)`,
  )
}

/** Putting a secret of `secretWorkspace` into a worker. */
export function useSecret(caller: Caller, secretWorkspace: string): Decision {
  if (access(caller, 'write', secretWorkspace).ok) return yes
  return no(`user ${caller.user.name} may not use secrets of workspace ${secretWorkspace} (needs write on it)`)
}

/** Reading the logs of a worker of `workspace` that consumes secrets of `secretWorkspaces`. */
export function readLogs(caller: Caller, workspace: string, secretWorkspaces: readonly string[]): Decision {
  const read = access(caller, 'read', workspace)
  if (!read.ok) return read
  for (const ws of new Set(secretWorkspaces)) {
    if (!useSecret(caller, ws).ok)
      return no(
        `user ${caller.user.name} may not read the logs of this worker: it consumes secrets of workspace ${ws}, which the user may not use`,
      )
  }
  return yes
}

/** Applying or deleting a worker (code that runs on the control plane's machine). */
export function writeWorker(caller: Caller, workspace: string, tenancy: Tenancy): Decision {
  const write = access(caller, 'write', workspace)
  if (!write.ok) return write
  if (tenancy === 'admins-only' && !caller.user.admin) {
    return no(
      `user ${caller.user.name} may not run workers here: this control plane is not root, so workers run as its own user and only admins may write them (start it with --single-tenant to trust every writer)`,
    )
  }
  return yes
}

/** Giving a non-admin user write on a workspace. */
export function grantWrite(caller: Caller, tenancy: Tenancy): Decision {
  if (!caller.user.admin) return no(`user ${caller.user.name} may not create users (admins only)`)
  if (tenancy === 'admins-only') {
    return no(
      'write grants for non-admin users need replica isolation: this control plane is not root, so their workers would run as its own user; start it with --single-tenant to allow them',
    )
  }
  return yes
}

/** Setting runAsUser: an admin, or the user itself. */
export function actAs(caller: Caller, user: string): Decision {
  if (caller.user.admin || caller.user.name === user) return yes
  return no(`user ${caller.user.name} may not run workers as ${user}`)
}
