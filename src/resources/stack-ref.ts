// worker.stack references: `name`, `name:version` or `name+flavor:version`, resolved against
// the Stack resources' `stack:` sections. Without a version the highest one wins.

export interface StackRef {
  name: string
  flavor?: string
  version?: string
}

export interface StackIdentity {
  name: string
  flavor?: string
  version: string
}

/** The identity a Stack resource's `stack:` section declares, or undefined when it has none. */
export function stackIdentity(section: unknown): StackIdentity | undefined {
  if (typeof section !== 'object' || section === null) return undefined
  const s = section as Record<string, unknown>
  if (typeof s.name !== 'string' || typeof s.version !== 'string') return undefined
  return {name: s.name, ...(typeof s.flavor === 'string' ? {flavor: s.flavor} : {}), version: s.version}
}

export function parseStackRef(text: string): StackRef {
  const [head, version] = text.split(':', 2) as [string, string | undefined]
  const [name, flavor] = head.split('+', 2) as [string, string | undefined]
  return {name, ...(flavor ? {flavor} : {}), ...(version ? {version} : {})}
}

export function formatStackRef(s: StackRef): string {
  return `${s.name}${s.flavor ? `+${s.flavor}` : ''}${s.version ? `:${s.version}` : ''}`
}

/**
 * Compares versions as SemVer orders them: the release part by part, numerically where both
 * parts are numbers ("1.10" > "1.9", "1.0" = "1.0.0"); then a pre-release ("1.0-rc1",
 * "1.0.0-beta.2") ranks below its release, and pre-releases compare part by part.
 */
export function compareVersions(a: string, b: string): number {
  const [releaseA, preA] = splitPre(a)
  const [releaseB, preB] = splitPre(b)
  const byRelease = compareParts(releaseA.split('.'), releaseB.split('.'), '0')
  if (byRelease !== 0) return byRelease
  if (preA === undefined || preB === undefined) return preA === preB ? 0 : preA === undefined ? 1 : -1
  return compareParts(preA.split('.'), preB.split('.'), '')
}

const splitPre = (v: string): [string, string | undefined] => {
  const dash = v.indexOf('-')
  return dash === -1 ? [v, undefined] : [v.slice(0, dash), v.slice(dash + 1)]
}

function compareParts(pa: string[], pb: string[], missing: string): number {
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? missing
    const y = pb[i] ?? missing
    if (x === y) continue
    const numeric = (p: string) => /^\d+$/.test(p)
    if (numeric(x) && numeric(y)) return Number(x) - Number(y)
    if (numeric(x) !== numeric(y) && x !== '' && y !== '') return numeric(x) ? -1 : 1 // SemVer: numbers below words
    return x < y ? -1 : 1
  }
  return 0
}

/** The stack a reference names among `stacks`, or undefined. A reference without a flavor matches only stacks without one. */
export function resolveStack<T extends StackIdentity>(ref: StackRef, stacks: readonly T[]): T | undefined {
  const candidates = stacks.filter((s) => s.name === ref.name && (s.flavor ?? undefined) === (ref.flavor ?? undefined))
  if (ref.version !== undefined) return candidates.find((s) => s.version === ref.version)
  return [...candidates].sort((a, b) => compareVersions(b.version, a.version))[0]
}
