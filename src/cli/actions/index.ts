// Actions the fast path can run without oclif, by command id. Each is the same function the
// oclif command calls, so both paths behave the same.
import type {Action} from '../io.js'

// The flags are checked against the command's manifest before an action is called.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- flags arrive as parsed from argv
type AnyAction = Action<any>

export const ACTIONS: Record<string, () => Promise<AnyAction>> = {
  apply: async () => (await import('./apply.js')).apply as AnyAction,
  'develop:generate': async () => (await import('./develop.js')).generateStarter as AnyAction,
  'develop:schema:generate': async () => (await import('./develop.js')).generateSchema as AnyAction,
}
