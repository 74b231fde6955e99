// Stack command and argument templates: `{{.StackSpec.command}}`, `{{.ConfigDir}}/x.yaml`, … (the local
// runtime and the Kubernetes render expand the same stacks)
// (Go-template-like names, as DataOS stacks write them). An argument that is exactly one
// template whose value is a list becomes that many arguments; one whose value is absent is
// dropped; anything else is text with the templates replaced.

export type TemplateContext = Record<string, unknown>

const PLACEHOLDER = /\{\{\s*\.([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)\s*\}\}/g
const WHOLE = /^\{\{\s*\.([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)\s*\}\}$/

export class TemplateError extends Error {}

function lookup(context: TemplateContext, path: string): unknown {
  let value: unknown = context
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined
    value = (value as Record<string, unknown>)[part]
  }
  return value
}

function asText(value: unknown, path: string): string {
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  throw new TemplateError(
    `{{.${path}}} is ${value === undefined ? 'not set' : Array.isArray(value) ? 'a list' : 'a mapping'}; it cannot be part of a longer argument`,
  )
}

/** Expands one list of arguments. */
export function expandArguments(templates: readonly string[], context: TemplateContext): string[] {
  const out: string[] = []
  for (const template of templates) {
    const whole = WHOLE.exec(template)
    if (whole) {
      const value = lookup(context, whole[1]!)
      if (value === undefined || value === null) continue
      if (Array.isArray(value)) out.push(...value.map((v, i) => asText(v, `${whole[1]}[${i}]`)))
      else out.push(asText(value, whole[1]!))
      continue
    }
    out.push(template.replace(PLACEHOLDER, (_, path: string) => asText(lookup(context, path), path)))
  }
  return out
}
