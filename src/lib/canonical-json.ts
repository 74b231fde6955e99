/**
 * JSON with object keys sorted at every level: equal for values that differ only in key order.
 * Like JSON.stringify, a key whose value is undefined is left out ({a: undefined} is {}).
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>
    const keys = Object.keys(record)
      .filter((k) => record[k] !== undefined)
      .sort()
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(record[k])}`).join(',')}}`
  }
  return JSON.stringify(value) ?? 'null'
}

/**
 * Whether canonicalJson(a) === canonicalJson(b), without building either: compared key by key,
 * stopping at the first difference (a spec check on every apply built four strings).
 */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false
    for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i], b[i])) return false
    return true
  }
  if (a !== null && typeof a === 'object' && b !== null && typeof b === 'object') {
    const x = a as Record<string, unknown>
    const y = b as Record<string, unknown>
    let defined = 0
    for (const key of Object.keys(x)) {
      if (x[key] === undefined) continue
      defined++
      if (!Object.hasOwn(y, key) || !jsonEqual(x[key], y[key])) return false
    }
    for (const key of Object.keys(y)) if (y[key] !== undefined) defined--
    return defined === 0
  }
  // Scalars (and an object against a scalar) as JSON writes them: NaN is null, -0 is 0.
  return canonicalJson(a) === canonicalJson(b)
}
