// Actions the fast path can run without oclif, by command id. Each is the same function the
// oclif command calls, so both paths behave the same.
import type {Action} from '../io.js'

// The flags are checked against the command's manifest before an action is called.
// biome-ignore lint/suspicious/noExplicitAny: flags arrive as parsed from argv
type AnyAction = Action<any>

export const ACTIONS: Record<string, () => Promise<AnyAction>> = {
  apply: async () => (await import('./apply.js')).apply as AnyAction,
  get: async () => (await import('./get.js')).get as AnyAction,
  'get:runtime': async () => (await import('./runtime.js')).getRuntime as AnyAction,
  log: async () => (await import('./runtime.js')).log as AnyAction,
  delete: async () => (await import('./delete.js')).deleteResources as AnyAction,
  'server:start': async () => (await import('./server.js')).serverStart as AnyAction,
  'server:stop': async () => (await import('./server.js')).serverStop as AnyAction,
  'server:status': async () => (await import('./server.js')).serverStatus as AnyAction,
  'context:add': async () => (await import('./context.js')).contextAdd as AnyAction,
  'context:use': async () => (await import('./context.js')).contextUse as AnyAction,
  'context:list': async () => (await import('./context.js')).contextList as AnyAction,
  'context:remove': async () => (await import('./context.js')).contextRemove as AnyAction,
  login: async () => (await import('./context.js')).login as AnyAction,
  'user:create': async () => (await import('./user.js')).userCreate as AnyAction,
  'develop:generate': async () => (await import('./develop.js')).generateStarter as AnyAction,
  'develop:schema:generate': async () => (await import('./develop.js')).generateSchema as AnyAction,
  'develop:schema:get:resource': async () => (await import('./develop.js')).fetchSchema as AnyAction,
}
