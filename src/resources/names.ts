// Resource names follow DataOS's rule with the linter's stricter first character: lowercase
// letters, digits and '-', starting with a letter, ending alphanumeric, at most 48 characters
// (research/dataos-spec.md §1; DNS-label-like, so a name is always safe as a file or pod name).

export const NAME_PATTERN = '^[a-z]([-a-z0-9]*[a-z0-9])?$'
export const NAME_MAX_LENGTH = 48
export const NAME_RULE =
  "must consist of lower case letters, digits or '-', start with a letter and end with a letter or digit (e.g. 'my-worker')"

const nameRe = new RegExp(NAME_PATTERN)

/** Why `value` is not a valid resource name, or undefined when it is one. */
export function nameProblem(value: string): string | undefined {
  if (value.length === 0) return 'must not be empty'
  if (value.length > NAME_MAX_LENGTH) return `must be no more than ${NAME_MAX_LENGTH} characters`
  if (!nameRe.test(value)) return NAME_RULE
  return undefined
}

/** A secret key as an environment variable name: what is not a letter, digit or '_' becomes '_'. */
export const secretEnvName = (key: string) => key.replace(/[^A-Za-z0-9_]/g, '_').replace(/^(\d)/, '_$1')
