// Numeric flag values, parsed in the actions: flags are declared as strings so that the fast
// path (which only knows booleans and strings) and oclif hand actions the same values.
import {UsageError} from './errors.js'

export function seconds(value: string | undefined, fallback: number, flag: string): number {
  if (value === undefined) return fallback
  const n = Number(value)
  if (!/^\d+(\.\d+)?$/.test(value.trim()) || !Number.isFinite(n) || n <= 0)
    throw new UsageError(`${flag} ${JSON.stringify(value)}: expected a number of seconds greater than 0`)
  return n
}
