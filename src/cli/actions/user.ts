// `drover user create`: a user with workspace grants, and its API key (printed once).
import {UsageError} from '../errors.js'
import type {Io, Outcome} from '../io.js'
import {withClient} from '../remote.js'

export async function userCreate(flags: {name: string; admin: boolean; grant?: string[]}, io: Io): Promise<Outcome> {
  const grants = (flags.grant ?? []).map((g) => {
    const m = /^([a-z0-9*][-a-z0-9]*):(read|write)$/.exec(g)
    if (!m)
      throw new UsageError(
        `--grant ${JSON.stringify(g)}: expected WORKSPACE:read or WORKSPACE:write (* for every workspace)`,
      )
    return {workspace: m[1]!, access: m[2] as 'read' | 'write'}
  })
  const created = await withClient(io, (client) => client.createUser({name: flags.name, admin: flags.admin, grants}))
  if (!io.json) io.note(`user ${flags.name} created; its API key follows, shown only this once:`)
  return {data: created, render: () => created.apiKey}
}
