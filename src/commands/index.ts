// The command table (oclif's explicit strategy) and oclif's entry point. main.ts loads this
// only when the fast path declines (docs/decisions/0002-fast-start.md). Ids use ':'.
import {type Hook, execute} from '@oclif/core'
import {closest} from '../lib/edit-distance.js'
import Apply from './apply.js'
import ContextAdd from './context/add.js'
import ContextList from './context/list.js'
import ContextRemove from './context/remove.js'
import ContextUse from './context/use.js'
import Delete from './delete.js'
import DevelopGenerate from './develop/generate.js'
import DevelopSchemaGenerate from './develop/schema/generate.js'
import DevelopSchemaGetResource from './develop/schema/get/resource.js'
import Get from './get/index.js'
import GetRuntime from './get/runtime.js'
import Log from './log.js'
import Login from './login.js'
import ServerStart from './server/start.js'
import ServerStatus from './server/status.js'
import ServerStop from './server/stop.js'
import UserCreate from './user/create.js'

export const COMMANDS = {
  apply: Apply,
  get: Get,
  'get:runtime': GetRuntime,
  log: Log,
  delete: Delete,
  'server:start': ServerStart,
  'server:stop': ServerStop,
  'server:status': ServerStatus,
  'context:add': ContextAdd,
  'context:use': ContextUse,
  'context:list': ContextList,
  'context:remove': ContextRemove,
  login: Login,
  'user:create': UserCreate,
  'develop:generate': DevelopGenerate,
  'develop:schema:generate': DevelopSchemaGenerate,
  'develop:schema:get:resource': DevelopSchemaGetResource,
}

export async function run(entry: string): Promise<void> {
  await execute({dir: entry})
}

/** An unknown command is a usage error (exit 2), with the nearest command suggested. */
export const commandNotFound: Hook<'command_not_found'> = async function (options) {
  const ids = Object.keys(COMMANDS).map((id) => id.replaceAll(':', ' '))
  const typed = options.id.replaceAll(':', ' ')
  const near = closest(typed, ids)
  this.error(`unknown command "${typed}"${near ? `; did you mean "${near}"?` : ''}\nSee ${options.config.bin} --help`, {
    exit: 2,
  })
}
