// Every regular expression of the resource model, with the sentence a user reads when a value
// does not match it. Kept free of zod so that validation (CLI start-up path) can use it.
import {NAME_PATTERN, NAME_RULE} from './names.js'
import {CPU_PATTERN, MEMORY_PATTERN} from './quantity.js'

export {NAME_PATTERN, CPU_PATTERN, MEMORY_PATTERN}
export const ENV_NAME_PATTERN = '^[A-Za-z_][A-Za-z0-9_]*$'
export const FILE_NAME_PATTERN = '^[A-Za-z0-9_][A-Za-z0-9._-]*$'
export const STACK_REF_PATTERN =
  '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\+[a-z0-9]([-a-z0-9]*[a-z0-9])?)?(:[A-Za-z0-9][A-Za-z0-9._-]*)?$'
export const VERSION_TEXT_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._-]*$'
// '.' and '..' are refused: a key can become a file name (consumptionType: file).
export const SECRET_KEY_PATTERN = '^(?!\\.\\.?$)[-._a-zA-Z0-9]+$'
// A folder inside the replica's folder: no '..' segment, no NUL (it is resolved and checked again at run time).
export const VOLUME_PATH_PATTERN = '^(?!(.*/)?\\.\\.(/.*)?$)[^\\u0000]+$'
// Kubernetes label keys (an optional DNS prefix and '/', then a name of at most 63) and values.
export const LABEL_KEY_PATTERN =
  '^([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$'
export const LABEL_VALUE_PATTERN = '^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$'
// The start of a Kubernetes namespace name: empty, or lowercase letters, digits and '-', not starting with '-'.
export const NAMESPACE_PREFIX_PATTERN = '^([a-z0-9][-a-z0-9]*)?$'

export const PATTERN_RULES: Record<string, string> = {
  [NAME_PATTERN]: NAME_RULE,
  [CPU_PATTERN]: 'must be a CPU quantity: cores ("1", "0.5") or millicores ("500m")',
  [MEMORY_PATTERN]: 'must be a memory quantity such as "128Mi", "1Gi" or "1G"',
  [ENV_NAME_PATTERN]: "must be an environment variable name: letters, digits and '_', not starting with a digit",
  [FILE_NAME_PATTERN]: "must be a file name: letters, digits, '.', '_' and '-', not starting with '.'",
  [STACK_REF_PATTERN]:
    'must be name, name:version or name+flavor:version (e.g. "node", "node:1.0", "bento+worker:3.0")',
  [VERSION_TEXT_PATTERN]: 'must be a version such as "1.0"',
  [SECRET_KEY_PATTERN]: "must consist of letters, digits, '-', '_' or '.', and not be '.' or '..'",
  [VOLUME_PATH_PATTERN]: "must be a path inside the replica's folder: no '..' segment",
  [LABEL_KEY_PATTERN]:
    "must be a Kubernetes label key: an optional DNS prefix and '/', then at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit",
  [LABEL_VALUE_PATTERN]:
    "must be a Kubernetes label value: at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit",
  [NAMESPACE_PREFIX_PATTERN]: "must be lowercase letters, digits and '-', not starting with '-'",
}
