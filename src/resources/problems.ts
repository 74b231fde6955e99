// A problem found in a manifest, before it is located in a file. The wording follows the
// Kubernetes API conventions ("worker.replicas: Invalid value: -1: must be greater than or
// equal to 0"); `detail` is the "must …" part, `hint` what to do about it.

type ProblemCode =
  | 'Required' // a required field is missing
  | 'UnknownField' // a field the schema does not have
  | 'InvalidType' // a value of the wrong type
  | 'InvalidValue' // a value of the right type that breaks a rule (pattern, range, cross-field)
  | 'Unsupported' // a value outside an enumeration
  | 'Duplicate' // the same field twice (autoscaling + autoScaling, duplicate YAML keys)
  | 'Forbidden' // a field that must not be set here
  | 'Syntax' // the document is not YAML, or not a manifest at all
  | 'Defaulted' // a warning: a field left out that the control plane fills with its default

export type PathSegment = string | number

export interface Problem {
  path: PathSegment[]
  code: ProblemCode
  /** The "must …" sentence. */
  detail: string
  /** The offending value, when the message should show it. */
  value?: unknown
  hint?: string
  /** Where to point in the source: at the key of `path` or at its value. */
  anchor?: 'key' | 'value'
  /** A warning does not make the manifest invalid (lint exits 0 with only warnings). */
  severity?: 'warning'
}

/** `worker.dataosVolumes[0].name`, the way Kubernetes prints field paths. */
export function formatPath(path: readonly PathSegment[]): string {
  let out = ''
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(segment)) out += out ? `.${segment}` : segment
    else out += `[${JSON.stringify(segment)}]`
  }
  return out
}

function showValue(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'a list'
  if (typeof value === 'object') return 'a mapping'
  const text = JSON.stringify(value) ?? String(value)
  return text.length > 64 ? `${text.slice(0, 60)}…"` : text
}

const headline: Record<ProblemCode, string> = {
  Required: 'Required value',
  UnknownField: 'Unknown field',
  InvalidType: 'Invalid value',
  InvalidValue: 'Invalid value',
  Unsupported: 'Unsupported value',
  Duplicate: 'Duplicate value',
  Forbidden: 'Forbidden',
  Syntax: 'Invalid document',
  Defaulted: 'Defaulted value',
}

export interface MessageOptions {
  /** Hide the value and any hint (which might echo it): secret fields. */
  redact?: boolean
  /** Show this instead of the value (e.g. the text before environment interpolation). */
  shownValue?: string
}

/** One-line message without location: `worker.replicas: Invalid value: -1: must be …; hint`. */
export function problemMessage(p: Problem, options: MessageOptions = {}): string {
  const parts: string[] = []
  const path = formatPath(p.path)
  if (path) parts.push(path)
  parts.push(headline[p.code])
  if ('value' in p && (p.code === 'InvalidType' || p.code === 'InvalidValue' || p.code === 'Unsupported')) {
    parts.push(options.redact ? '(value hidden)' : (options.shownValue ?? showValue(p.value)))
  }
  let text = parts.join(': ')
  if (p.detail) text += `: ${p.detail}`
  if (p.hint && !options.redact && options.shownValue === undefined) text += `; ${p.hint}`
  return text
}

/** Where a problem of this code points when only its code is known (problems a server reported). */
export function anchorOf(code: string): 'key' | 'value' {
  return code === 'UnknownField' || code === 'Required' || code === 'Duplicate' ? 'key' : 'value'
}
