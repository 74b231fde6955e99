// Field-level difference between two JSON values, for `apply --dry-run`.
import {jsonEqual} from './canonical-json.js'
import {isObject} from './json.js'

export interface Change {
  op: 'add' | 'remove' | 'change'
  path: (string | number)[]
  from?: unknown
  to?: unknown
}

/** Changes from `before` to `after`: objects compared key by key, arrays and scalars as a whole. */
export function diffJson(before: unknown, after: unknown, path: (string | number)[] = []): Change[] {
  if (isObject(before) && isObject(after)) {
    const out: Change[] = []
    for (const key of Object.keys(before)) {
      if (!(key in after)) out.push({op: 'remove', path: [...path, key], from: before[key]})
      else out.push(...diffJson(before[key], after[key], [...path, key]))
    }
    for (const key of Object.keys(after))
      if (!(key in before)) out.push({op: 'add', path: [...path, key], to: after[key]})
    return out
  }
  if (jsonEqual(before, after)) return []
  return [{op: 'change', path, from: before, to: after}]
}
