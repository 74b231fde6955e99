// Credentials inside manifests (secret.data values, worker.runAsApiKey): split out of the
// manifest before it is stored (they are stored encrypted, apart), and put back — masked, or
// revealed to a caller who may see them.
import type {PathSegment} from './problems.js'
import {MASK, isSensitivePath} from './validate.js'
import {isObject, type Json} from '../lib/json.js'

/**
 * The manifest without its credentials, and the credentials as an overlay of the same shape
 * (undefined when there are none).
 */
export function splitSensitive(manifest: Json): {plain: Json; sensitive?: Json} {
  let found = false
  const walk = (value: unknown, path: PathSegment[]): [unknown, unknown] => {
    if (path.length > 0 && isSensitivePath(path) && !isObject(value)) {
      found = true
      return [undefined, value]
    }
    if (!isObject(value)) return [value, undefined]
    const plain: Json = {}
    const secret: Json = {}
    for (const [k, v] of Object.entries(value)) {
      const [p, s] = walk(v, [...path, k])
      if (p !== undefined) plain[k] = p
      if (s !== undefined) secret[k] = s
    }
    return [plain, Object.keys(secret).length > 0 ? secret : undefined]
  }
  const [plain, sensitive] = walk(manifest, [])
  return found ? {plain: plain as Json, sensitive: sensitive as Json} : {plain: manifest}
}

/** The manifest with its credentials back: their values, or the mask. */
export function joinSensitive(plain: Json, sensitive: Json | undefined, reveal: boolean): Json {
  if (!sensitive) return plain
  const merge = (a: unknown, b: unknown): unknown => {
    if (!isObject(b)) return reveal ? b : MASK
    const out: Json = isObject(a) ? {...a} : {}
    for (const [k, v] of Object.entries(b)) out[k] = merge(out[k], v)
    return out
  }
  return merge(plain, sensitive) as Json
}
