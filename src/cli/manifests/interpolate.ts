// Environment interpolation in manifest values, on by default as dataos-ctl does it:
//   $NAME, ${NAME}              the variable; an error when it is not set
//   ${NAME:-default}            default when NAME is unset or empty; ${NAME-default} when unset
//   $$                          a literal $
// Anything else that starts with $ stays as written (Bento's ${! … }, ${{ placeholders }},
// "$5"), so that stack configurations that use $ for their own syntax survive. Unlike
// dataos-ctl (which substitutes the raw text) this runs on parsed scalar values, so a value
// can never inject YAML structure and every error points at the value's own line.

export interface InterpolationResult {
  text: string
  /** Variables that were referenced without a default and are not set. */
  missing: string[]
  /** True when at least one reference was substituted (or $$ unescaped). */
  changed: boolean
}

const reference = /\$(?:\$|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g

export function interpolate(text: string, env: Readonly<Record<string, string | undefined>>): InterpolationResult {
  if (!text.includes('$')) return {text, missing: [], changed: false}
  const missing: string[] = []
  let changed = false
  const out = text.replace(reference, (whole, braced?: string, operator?: string, fallback?: string, bare?: string) => {
    changed = true
    if (whole === '$$') return '$'
    const name = (braced ?? bare)!
    const value = env[name]
    if (operator === ':-') return value === undefined || value === '' ? fallback! : value
    if (operator === '-') return value === undefined ? fallback! : value
    if (value === undefined) {
      if (!missing.includes(name)) missing.push(name)
      return whole
    }
    return value
  })
  return {text: out, missing, changed}
}
