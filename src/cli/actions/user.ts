// `drover user create|list|delete|rotate-key` and `drover whoami`: who may do what, and their keys.
import type {WhoAmI} from '../../api/types.js'
import {LOCAL, readContexts, resolveTarget, writeContexts} from '../context.js'
import {UsageError} from '../errors.js'
import type {Io, Outcome} from '../io.js'
import {smallTable} from '../output/small-table.js'
import {withClient} from '../remote.js'

function grantsOf(flags: {grant?: string[]}) {
  return (flags.grant ?? []).map((g) => {
    const m = /^([a-z0-9*][-a-z0-9]*):(read|write)$/.exec(g)
    if (!m)
      throw new UsageError(
        `--grant ${JSON.stringify(g)}: expected WORKSPACE:read or WORKSPACE:write (* for every workspace)`,
      )
    return {workspace: m[1]!, access: m[2] as 'read' | 'write'}
  })
}

const grantsText = (u: Pick<WhoAmI, 'admin' | 'grants'>) =>
  [...(u.admin ? ['admin'] : []), ...u.grants.map((g) => `${g.workspace}:${g.access}`)].join(', ') || '(none)'

export async function userCreate(
  flags: {name: string; admin: boolean; grant?: string[]; update: boolean},
  io: Io,
): Promise<Outcome> {
  const grants = grantsOf(flags)
  const created = await withClient(io, (client) =>
    client.createUser({name: flags.name, admin: flags.admin, grants, ...(flags.update ? {update: true} : {})}),
  )
  if (created.apiKey === undefined) {
    const changes = created.changes ?? []
    return {
      data: created,
      render: () =>
        changes.length === 0
          ? `user ${flags.name}: unchanged`
          : [`user ${flags.name}: updated`, ...changes.map((c) => `  ${c}`)].join('\n'),
    }
  }
  const key = created.apiKey
  if (!io.json) io.note(`user ${flags.name} created; its API key follows, shown only this once:`)
  return {data: created, render: () => key}
}

export async function userList(_flags: object, io: Io): Promise<Outcome> {
  const users = await withClient(io, (client) => client.listUsers())
  const renderTable = await smallTable()
  return {
    data: users,
    render: () =>
      renderTable(
        ['USER', 'PERMISSIONS', 'KEYS'],
        users.items.map((u) => [u.user, grantsText(u), String(u.keys)]),
      ),
  }
}

export async function userDelete(flags: {name: string}, io: Io): Promise<Outcome> {
  const deleted = await withClient(io, (client) => client.deleteUser(flags.name))
  return {data: deleted, render: () => `user ${deleted.user}: deleted; its keys no longer work`}
}

/**
 * A new key for a user (yourself without -n); every other key of it stops working at once.
 * When it is the key this CLI's current context holds, the context gets the new one.
 */
export async function userRotateKey(flags: {name?: string}, io: Io): Promise<Outcome> {
  const {rotated, self} = await withClient(io, async (client) => {
    const me = await client.whoami()
    const name = flags.name ?? me.user
    return {rotated: await client.rotateKey(name), self: name === me.user}
  })
  const target = resolveTarget()
  let saved: string | undefined
  if (self && target.kind === 'remote' && target.name !== 'DROVER_URL' && !process.env.DROVER_APIKEY) {
    const file = readContexts()
    const context = file.contexts[target.name]
    if (context && target.name !== LOCAL) {
      context.apiKey = rotated.apiKey
      writeContexts(file)
      saved = target.name
    }
  }
  if (!io.json)
    io.note(
      `user ${rotated.user}: new API key${saved ? ` (saved in context ${saved})` : ''}, shown only this once; ${rotated.revoked} older key${rotated.revoked === 1 ? '' : 's'} revoked:`,
    )
  return {data: rotated, render: () => rotated.apiKey}
}

export async function whoami(_flags: object, io: Io): Promise<Outcome> {
  const target = resolveTarget()
  const me = await withClient(io, (client) => client.whoami())
  const where = target.kind === 'local' ? 'the local control plane' : `${target.url} (context ${target.name})`
  return {
    data: {...me, context: target.name},
    render: () => `${me.user} on ${where}\npermissions: ${grantsText(me)}`,
  }
}
